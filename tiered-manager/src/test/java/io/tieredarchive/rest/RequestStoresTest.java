package io.tieredarchive.rest;

import io.tieredarchive.testing.Closing;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.config.S3Connection;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The REST extension's S3 clients on a real S3 server: one per connection, closed once idle or beyond the size
 * bound, all closed with the extension; a closed client no longer answers.
 */
class RequestStoresTest {

    private static final Duration IDLE = Duration.ofMinutes(10);

    @TempDir
    static Path tmp;
    static S3ProxyServer s3;
    static S3Connection bucket;

    private final AtomicLong nanos = new AtomicLong();
    private final List<RemoteSegmentStore> created = new ArrayList<>();
    private RequestStores stores;

    @BeforeAll
    static void startS3() {
        s3 = S3ProxyServer.startIn(tmp);
        bucket = S3TestConnections.create(s3, "stores");
    }

    @AfterAll
    static void stopS3() throws Exception {
        Closing.closeAll(s3);
    }

    @AfterEach
    void tearDown() {
        if (stores != null) {
            stores.close();
        }
    }

    private RequestStores stores(int max) {
        stores = new RequestStores(max, IDLE, Duration.ZERO, nanos::get, c -> {
            RemoteSegmentStore store = RemoteSegmentStore.forRequests(c, Duration.ofSeconds(30));
            created.add(store);
            return store;
        });
        return stores;
    }

    /** A connection as a credential rotation or another connector makes one: equal to no other. */
    private static S3Connection connection(String prefix) {
        return S3TestConnections.withPrefix(bucket, prefix);
    }

    private void awaitOpen(int expected) throws InterruptedException {
        for (int i = 0; i < 600 && stores.openStores() != expected; i++) {
            Thread.sleep(50);
        }
        assertEquals(expected, stores.openStores());
    }

    private static void assertWorks(RemoteSegmentStore store) throws Exception {
        assertTrue(store.view(ArchivePartition.legacy("orders", 0)).segments().isEmpty());
    }

    private static void assertClosed(RemoteSegmentStore store) {
        assertThrows(Exception.class, () -> store.view(ArchivePartition.legacy("orders", 0)), "a closed client still answered");
    }

    @Test
    void oneClientPerConnectionClosedOnceIdle() throws Exception {
        stores(16);
        RemoteSegmentStore first = stores.get(connection("a"));
        assertSame(first, stores.get(connection("a")));
        assertWorks(first);
        nanos.addAndGet(IDLE.toNanos() - 1);
        assertSame(first, stores.get(connection("a")), "used again before it was idle: kept");

        RemoteSegmentStore other = stores.get(connection("b"));
        nanos.addAndGet(IDLE.toNanos() + 1);
        stores.cleanUp();
        awaitOpen(0);
        assertClosed(first);
        assertClosed(other);

        RemoteSegmentStore again = stores.get(connection("a"));
        assertNotSame(first, again);
        assertWorks(again);
    }

    @Test
    void rotatedConnectionsBeyondTheBoundAreClosed() throws Exception {
        stores(2);
        for (int rotation = 0; rotation < 6; rotation++) {
            assertWorks(stores.get(connection("rotation-" + rotation)));
        }
        awaitOpen(2);
        assertEquals(6, created.size());
        assertEquals(4, created.stream().filter(s -> {
            try {
                s.view(ArchivePartition.legacy("orders", 0));
                return false;
            } catch (Exception closed) {
                return true;
            }
        }).count(), "every client beyond the bound is closed");
    }

    @Test
    void closingTheExtensionClosesEveryClientAtOnce() throws Exception {
        stores(16);
        RemoteSegmentStore a = stores.get(connection("a"));
        RemoteSegmentStore jobsOwn = RemoteSegmentStore.forRequests(connection("job"), Duration.ofSeconds(30));
        stores.closeSoon(jobsOwn);
        stores.close();
        assertEquals(0, stores.openStores());
        assertClosed(a);
        assertClosed(jobsOwn);
    }
}
