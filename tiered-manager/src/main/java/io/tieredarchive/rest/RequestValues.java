package io.tieredarchive.rest;

import io.tieredarchive.config.TopicNames;
import io.tieredarchive.tier.remote.IncarnationSelection;

import org.apache.kafka.common.errors.InvalidTopicException;

/**
 * The checks of a request's path and query values: each bad value is a 400 whose message names the parameter, the
 * value and what is allowed. Values are taken as text and parsed here, so that none reaches JAX-RS's own
 * conversion (which answers a bad number with a bare 404).
 */
final class RequestValues {

    private RequestValues() {
    }

    /** A Kafka topic name (which also names a directory of a restore: no '/', no '..'). */
    static String topic(String value) throws RestException {
        try {
            TopicNames.validate(value);
            return value;
        } catch (InvalidTopicException e) {
            throw RestException.badRequest("Invalid topic '" + value + "': " + e.getMessage());
        }
    }

    /** A partition number: 0 to 2147483647. */
    static int partition(String value) throws RestException {
        return (int) wholeNumber("partition", value, 0, Integer.MAX_VALUE);
    }

    /** An optional offset: 0 to 2^63-1; {@code absent} when not given. */
    /** {@code incarnation}: one incarnation ({@code latest} when absent; {@code all} is not one). */
    static IncarnationSelection incarnation(String value) throws RestException {
        if (value == null) {
            return IncarnationSelection.LATEST_ONE;
        }
        String problem = IncarnationSelection.ALL.equals(value) ? "name one incarnation, not 'all'"
                : IncarnationSelection.problem(value);
        if (problem != null) {
            throw RestException.badRequest("'incarnation': " + problem);
        }
        return new IncarnationSelection(value);
    }

    static long offset(String name, String value, long absent) throws RestException {
        return value == null || value.isEmpty() ? absent : wholeNumber(name, value, 0, Long.MAX_VALUE);
    }

    /** A page size: 1 to {@code max}; {@code absent} when not given. */
    static int limit(String value, int absent, int max) throws RestException {
        return value == null || value.isEmpty() ? absent : (int) wholeNumber("limit", value, 1, max);
    }

    static long wholeNumber(String name, String value, long min, long max) throws RestException {
        long n;
        try {
            n = Long.parseLong(value == null ? "" : value.trim());
        } catch (NumberFormatException e) {
            throw outOfRange(name, "'" + value + "'", min, max);
        }
        if (n < min || n > max) {
            throw outOfRange(name, value, min, max);
        }
        return n;
    }

    static RestException outOfRange(String name, String got, long min, long max) {
        return RestException.badRequest("'" + name + "' must be a whole number from " + min + " to " + max
                + ", got " + got);
    }
}
