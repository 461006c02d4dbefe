package io.tieredarchive.source.copy;

import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.async.AsyncRequestBody;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The body of an upload from a leased buffer, handed to the SDK in {@value #SLICE_BYTES}-byte pieces, one per
 * request of its subscriber, so that the SDK never holds more of the body than its connection asked for: its
 * aws-chunked encoder (request checksums, and payload signing over plain HTTP) copies whatever it is given into
 * 128 KiB chunks at once, and given the buffer whole would hold a second copy of it. Each piece is a copy of its
 * own, not a view of the buffer, and {@link #release()} drops the buffer when the upload is over: the SDK keeps the
 * objects of a finished request reachable from its pooled connection until the connection's next request, and a
 * view kept there would keep the whole buffer alive outside the pool's budget. Every subscription (a retry is one)
 * starts from the first byte. What the SDK may still hold per upload is charged by the {@link PartBufferPool}.
 */
final class LeasedBufferBody implements AsyncRequestBody {

    /** Bytes of one piece. */
    static final int SLICE_BYTES = 16 * 1024;

    private final long length;
    private volatile ByteBuffer buffer;

    /** @param buffer the bytes from its position to its limit; neither is moved */
    LeasedBufferBody(ByteBuffer buffer) {
        this.buffer = buffer.asReadOnlyBuffer();
        this.length = buffer.remaining();
    }

    @Override
    public Optional<Long> contentLength() {
        return Optional.of(length);
    }

    @Override
    public void subscribe(Subscriber<? super ByteBuffer> subscriber) {
        subscriber.onSubscribe(new Pieces(subscriber));
    }

    /** Drops the buffer: the upload is over (or abandoned); a later subscription fails. */
    void release() {
        buffer = null;
    }

    /** One pass over the buffer, piece by piece as requested. */
    private final class Pieces implements Subscription {
        private final Subscriber<? super ByteBuffer> subscriber;
        private final AtomicLong demand = new AtomicLong();
        private final AtomicInteger work = new AtomicInteger();
        private long sent;
        private volatile boolean done;

        private Pieces(Subscriber<? super ByteBuffer> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                done = true;
                subscriber.onError(new IllegalArgumentException("Reactive Streams rule 3.9: request " + n));
                return;
            }
            demand.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            drain();
        }

        @Override
        public void cancel() {
            done = true;
        }

        /** Emits while there is demand; one thread at a time, the others leave their work to it. */
        private void drain() {
            if (work.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            do {
                while (!done && (sent == length || demand.get() > 0)) {
                    ByteBuffer source = buffer;
                    if (source == null) {
                        done = true;
                        subscriber.onError(new IOException("The upload's buffer was released"));
                    } else if (sent == length) {
                        done = true;
                        subscriber.onComplete();
                    } else {
                        int size = (int) Math.min(SLICE_BYTES, length - sent);
                        ByteBuffer piece = ByteBuffer.allocate(size);
                        int from = source.position() + (int) sent;
                        piece.put(source.duplicate().position(from).limit(from + size)).flip();
                        sent += size;
                        demand.decrementAndGet();
                        subscriber.onNext(piece);
                    }
                }
                missed = work.addAndGet(-missed);
            } while (missed != 0);
        }
    }
}
