package io.tieredarchive.tier.storage;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;

/**
 * Drops the optional {@code x-amz-mp-object-size} header that the SDK's multipart client (2.56) sends with
 * CompleteMultipartUpload. AWS S3 only uses it as an extra size check (each part is already checked); S3Proxy
 * 4.1 and other S3-compatible stores reject any unknown {@code x-amz-} header with "501 Not Implemented", which
 * would make every multipart upload fail there.
 */
final class MultipartObjectSizeHeaderRemover implements ExecutionInterceptor {

    static final String HEADER = "x-amz-mp-object-size";

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        SdkHttpRequest request = context.httpRequest();
        if (context.request() instanceof CompleteMultipartUploadRequest && request.firstMatchingHeader(HEADER)
                .isPresent()) {
            return request.toBuilder().removeHeader(HEADER).build();
        }
        return request;
    }
}
