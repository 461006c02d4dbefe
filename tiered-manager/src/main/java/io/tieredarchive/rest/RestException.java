package io.tieredarchive.rest;

import io.tieredarchive.failure.FailureKind;
import io.tieredarchive.failure.Failures;
import io.tieredarchive.segment.SegmentException;
import jakarta.ws.rs.core.Response;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request this extension cannot serve, with the HTTP status and a message that says what is wrong, answered in
 * Connect's own error shape {@code {"error_code": <status>, "message": "..."}}. The statuses: 400 a bad request,
 * 403 restore is off on this worker, 404 no such connector or job, 409 the restore directory holds segment files
 * or is being restored into, or a group to restore has members on the target, 413 a body too large, 429 the
 * restore queue is full, 503 the store, Connect or the target cluster failed
 * (try again), 500 what retrying cannot fix: the connector's bucket does not exist, the archive's data is corrupt,
 * a format too new. A failure of the store gets the status of its kind ({@link Failures#httpStatus}).
 */
final class RestException extends Exception {

    private final int status;

    RestException(int status, String message) {
        super(message);
        this.status = status;
    }

    static RestException badRequest(String message) {
        return new RestException(400, message);
    }

    int status() {
        return status;
    }

    Response response() {
        return error(status, getMessage());
    }

    /** The answer to a failure of the store or of its data, by its kind. */
    static Response storeFailure(SegmentException e) {
        FailureKind kind = Failures.kind(e);
        return error(Failures.httpStatus(kind), e.getMessage() + Failures.whatToCheck(kind, "s3."));
    }

    static Response error(int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error_code", status);
        body.put("message", String.valueOf(message));
        return Response.status(status).entity(body).build();
    }
}
