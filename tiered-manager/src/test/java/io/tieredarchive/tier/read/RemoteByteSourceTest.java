package io.tieredarchive.tier.read;

import io.tieredarchive.tier.storage.ObjectFetcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RemoteByteSourceTest {

    private static final int CHUNK = 100;
    private static final byte[] OBJECT = new byte[1_050];

    static {
        for (int i = 0; i < OBJECT.length; i++) {
            OBJECT[i] = (byte) (i * 31);
        }
    }

    private final ExecutorService executor = Executors.newFixedThreadPool(8);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    /** A fetcher over {@link #OBJECT} that records when each fetch started and ended; the first one is slow. */
    private static final class TimedFetcher implements ObjectFetcher {
        record Call(long position, long startNanos, long endNanos) {
        }

        final List<Call> calls = new ArrayList<>();
        private final long slowPosition;

        TimedFetcher(long slowPosition) {
            this.slowPosition = slowPosition;
        }

        @Override
        public byte[] fetch(String key, long position, int length) {
            long start = System.nanoTime();
            if (position == slowPosition) {
                try {
                    Thread.sleep(150);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] bytes = Arrays.copyOfRange(OBJECT, (int) position, (int) Math.min(OBJECT.length, position + length));
            synchronized (this) {
                calls.add(new Call(position, start, System.nanoTime()));
            }
            return bytes;
        }

        synchronized List<Call> calls() {
            return List.copyOf(calls);
        }
    }

    private RemoteByteSource source(ObjectFetcher fetcher) {
        return new RemoteByteSource(fetcher, "k", "s3://b/k", OBJECT.length, CHUNK, 3, executor);
    }

    @Test
    void aMissFetchesTheWantedChunkAloneThenTheReadAhead() throws Exception {
        TimedFetcher fetcher = new TimedFetcher(500);
        try (RemoteByteSource source = source(fetcher)) {
            ByteBuffer dst = ByteBuffer.allocate(10);
            assertEquals(10, source.read(520, dst));
            assertArrayEquals(Arrays.copyOfRange(OBJECT, 520, 530), dst.array());

            Thread.sleep(200); // let the read-ahead finish
            List<TimedFetcher.Call> calls = fetcher.calls();
            TimedFetcher.Call wanted = calls.stream().filter(c -> c.position() == 500).findFirst().orElseThrow();
            List<TimedFetcher.Call> ahead = calls.stream().filter(c -> c.position() != 500).toList();
            assertEquals(List.of(600L, 700L, 800L), ahead.stream().map(TimedFetcher.Call::position).sorted().toList(),
                    "the read-ahead after the wanted chunk, nothing before it: " + calls);
            assertTrue(ahead.stream().allMatch(c -> c.startNanos() >= wanted.endNanos()),
                    "no read-ahead competes with the chunk the reader waits for: " + calls);
        }
    }

    @Test
    void aMissFetchesEveryChunkTheReadAsksForAtOnce() throws Exception {
        TimedFetcher fetcher = new TimedFetcher(500);
        try (RemoteByteSource source = source(fetcher)) {
            ByteBuffer dst = ByteBuffer.allocate(100); // from 550: the end of chunk 500 and the start of chunk 600
            source.readFully(550, dst);
            assertArrayEquals(Arrays.copyOfRange(OBJECT, 550, 650), dst.array());

            Thread.sleep(200); // let the read-ahead finish
            List<TimedFetcher.Call> calls = fetcher.calls();
            TimedFetcher.Call wanted = calls.stream().filter(c -> c.position() == 500).findFirst().orElseThrow();
            TimedFetcher.Call next = calls.stream().filter(c -> c.position() == 600).findFirst().orElseThrow();
            assertTrue(next.startNanos() < wanted.endNanos(), "both chunks of the read fetched together: " + calls);
            assertTrue(calls.stream().filter(c -> c.position() > 600).allMatch(c -> c.startNanos() >= wanted.endNanos()),
                    "the read-ahead after them: " + calls);
        }
    }

    @Test
    void aSequentialReadFetchesEachChunkOnceWithReadAheadInFlight() throws Exception {
        TimedFetcher fetcher = new TimedFetcher(-1);
        try (RemoteByteSource source = source(fetcher)) {
            byte[] all = new byte[OBJECT.length];
            ByteBuffer dst = ByteBuffer.wrap(all);
            for (long position = 0; position < OBJECT.length; ) {
                dst.limit((int) Math.min(OBJECT.length, position + 37));
                position += source.read(position, dst);
            }
            assertEquals(-1, source.read(OBJECT.length, ByteBuffer.allocate(1)));
            assertArrayEquals(OBJECT, all);
            List<Long> positions = fetcher.calls().stream().map(TimedFetcher.Call::position).sorted().toList();
            assertEquals(List.of(0L, 100L, 200L, 300L, 400L, 500L, 600L, 700L, 800L, 900L, 1_000L), positions);
        }
    }

    @Test
    void prefetchStartsTheFetchThatALaterReadUses() throws Exception {
        TimedFetcher fetcher = new TimedFetcher(-1);
        try (RemoteByteSource source = source(fetcher)) {
            source.prefetch(0);
            source.prefetch(OBJECT.length); // past the end: nothing
            for (int i = 0; i < 100 && fetcher.calls().size() < 4; i++) {
                Thread.sleep(10);
            }
            assertEquals(List.of(0L, 100L, 200L, 300L),
                    fetcher.calls().stream().map(TimedFetcher.Call::position).sorted().toList(),
                    "the chunk and its read-ahead, without a read");
            ByteBuffer dst = ByteBuffer.allocate(100);
            assertEquals(100, source.read(0, dst));
            assertArrayEquals(Arrays.copyOfRange(OBJECT, 0, 100), dst.array());
            assertEquals(4, fetcher.calls().size(), "the read used the prefetched chunk");
        }
    }

    @Test
    void prefetchedChunksServeTheReadsThatComeToThemAndTheOthersAreDropped() throws Exception {
        TimedFetcher fetcher = new TimedFetcher(-1);
        try (RemoteByteSource source = source(fetcher)) {
            source.prefetchChunks(350, 560); // a guess: chunks 3 to 5, no read-ahead
            source.prefetchChunks(2_000, 3_000); // past the end: nothing
            for (int i = 0; i < 100 && fetcher.calls().size() < 3; i++) {
                Thread.sleep(10);
            }
            assertEquals(List.of(300L, 400L, 500L),
                    fetcher.calls().stream().map(TimedFetcher.Call::position).sorted().toList());
            ByteBuffer dst = ByteBuffer.allocate(100);
            assertEquals(50, source.read(450, dst));
            assertArrayEquals(Arrays.copyOfRange(OBJECT, 450, 500), Arrays.copyOf(dst.array(), 50));
            // Chunk 4 was there: its read-ahead (5 prefetched, 6 and 7) starts, nothing is fetched twice.
            for (int i = 0; i < 100 && fetcher.calls().size() < 5; i++) {
                Thread.sleep(10);
            }
            assertEquals(List.of(300L, 400L, 500L, 600L, 700L),
                    fetcher.calls().stream().map(TimedFetcher.Call::position).sorted().toList());
        }
    }
}
