package io.tieredarchive.source.copy;

import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Reads a GET response straight into a leased buffer: each network chunk the SDK delivers is copied into the buffer
 * and only then is the next one asked for (one at a time), so the SDK never queues more of the body than the chunk
 * in hand, and the buffer, already counted by the {@link PartBufferPool}, is the only place the body lives. The
 * response must fill the buffer exactly (position 0 to its limit); fewer or more bytes fail the request with an
 * {@link IOException}, which the copy treats as transient. A retry of the request starts writing at 0 again.
 */
final class BufferFillingTransformer implements AsyncResponseTransformer<GetObjectResponse, GetObjectResponse> {

    private final String what;
    private volatile ByteBuffer target;
    private volatile Filling filling;
    private volatile CompletableFuture<GetObjectResponse> result;
    private volatile GetObjectResponse response;

    /**
     * @param target the buffer to fill, from position 0 to its limit; its own position is not moved
     * @param what   the object (and range) read, for messages
     */
    BufferFillingTransformer(ByteBuffer target, String what) {
        this.target = target;
        this.what = what;
    }

    /** Called by the SDK for every attempt; an earlier attempt's view of the buffer is dropped. */
    @Override
    public CompletableFuture<GetObjectResponse> prepare() {
        Filling earlier = filling;
        if (earlier != null) {
            earlier.into = null;
        }
        result = new CompletableFuture<>();
        return result;
    }

    @Override
    public void onResponse(GetObjectResponse response) {
        this.response = response;
    }

    @Override
    public void onStream(SdkPublisher<ByteBuffer> publisher) {
        ByteBuffer buffer = target;
        if (buffer == null) {
            result.completeExceptionally(new IOException(what + ": the read was abandoned"));
            return;
        }
        Filling attempt = new Filling(buffer.duplicate().position(0), result);
        filling = attempt;
        publisher.subscribe(attempt);
    }

    /**
     * Drops every reference to the buffer once the read is over. The SDK keeps objects of a finished request
     * reachable from its pooled connection until the connection's next request, and through them this transformer:
     * without this, each idle connection would keep the last buffer it filled alive, outside the pool's budget.
     */
    void release() {
        target = null;
        Filling attempt = filling;
        filling = null;
        if (attempt != null) {
            attempt.into = null;
        }
    }

    @Override
    public void exceptionOccurred(Throwable error) {
        CompletableFuture<GetObjectResponse> current = result;
        if (current != null) {
            current.completeExceptionally(error);
        }
    }

    /** One attempt's body, written into its own view of the buffer. */
    private final class Filling implements Subscriber<ByteBuffer> {
        private volatile ByteBuffer into;
        private final CompletableFuture<GetObjectResponse> attempt;
        private Subscription subscription;
        private boolean done;

        private Filling(ByteBuffer into, CompletableFuture<GetObjectResponse> attempt) {
            this.into = into;
            this.attempt = attempt;
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(ByteBuffer chunk) {
            ByteBuffer into = this.into;
            if (done || into == null) {
                if (!done) {
                    done = true;
                    subscription.cancel();
                    attempt.completeExceptionally(new IOException(what + ": the read was abandoned"));
                }
                return;
            }
            if (chunk.remaining() > into.remaining()) {
                done = true;
                subscription.cancel();
                attempt.completeExceptionally(new IOException(what + " returned more than the " + into.limit()
                        + " bytes expected"));
                return;
            }
            into.put(chunk);
            subscription.request(1);
        }

        @Override
        public void onError(Throwable error) {
            done = true;
            attempt.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            ByteBuffer into = this.into;
            if (done) {
                return;
            }
            done = true;
            if (into == null) {
                attempt.completeExceptionally(new IOException(what + ": the read was abandoned"));
            } else if (into.hasRemaining()) {
                attempt.completeExceptionally(new IOException(what + " returned " + into.position()
                        + " bytes, expected " + into.limit()));
            } else {
                attempt.complete(response);
            }
        }
    }
}
