package io.tieredarchive.segment;

import java.nio.ByteBuffer;

/**
 * The variable-length integers of Kafka's v2 records: zig-zag encoded, 7 bits a byte, least significant first, as
 * in Protocol Buffers (an int takes 1 to 5 bytes, a long 1 to 10).
 */
final class Varints {

    private Varints() {
    }

    static int sizeOfVarint(int value) {
        int v = (value << 1) ^ (value >> 31);
        return 1 + (31 - Integer.numberOfLeadingZeros(v | 1)) / 7;
    }

    static int sizeOfVarlong(long value) {
        long v = (value << 1) ^ (value >> 63);
        return 1 + (63 - Long.numberOfLeadingZeros(v | 1)) / 7;
    }

    /** Writes {@code value} at {@code at}; returns the position after it. */
    static int writeVarint(int value, byte[] to, int at) {
        int v = (value << 1) ^ (value >> 31);
        while ((v & 0xFFFFFF80) != 0) {
            to[at++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        to[at++] = (byte) v;
        return at;
    }

    /** Writes {@code value} at {@code at}; returns the position after it. */
    static int writeVarlong(long value, byte[] to, int at) {
        long v = (value << 1) ^ (value >> 63);
        while ((v & 0xFFFFFFFFFFFFFF80L) != 0) {
            to[at++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        to[at++] = (byte) v;
        return at;
    }

    /** Reads a varint; {@link IllegalArgumentException} when it runs over 5 bytes. */
    static int readVarint(ByteBuffer from) {
        int value = 0;
        int shift = 0;
        int b;
        while (((b = from.get()) & 0x80) != 0) {
            value |= (b & 0x7F) << shift;
            shift += 7;
            if (shift > 28) {
                throw new IllegalArgumentException("varint longer than 5 bytes");
            }
        }
        value |= b << shift;
        return (value >>> 1) ^ -(value & 1);
    }

    /** Reads a varlong; {@link IllegalArgumentException} when it runs over 10 bytes. */
    static long readVarlong(ByteBuffer from) {
        long value = 0;
        int shift = 0;
        long b;
        while (((b = from.get()) & 0x80) != 0) {
            value |= (b & 0x7F) << shift;
            shift += 7;
            if (shift > 63) {
                throw new IllegalArgumentException("varlong longer than 10 bytes");
            }
        }
        value |= b << shift;
        return (value >>> 1) ^ -(value & 1);
    }
}
