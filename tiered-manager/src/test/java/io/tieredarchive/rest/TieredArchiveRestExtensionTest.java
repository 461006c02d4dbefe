package io.tieredarchive.rest;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.connect.rest.ConnectRestExtensionContext;
import org.junit.jupiter.api.Test;

/** The guard that keeps the extension off on workers whose JAX-RS it cannot use (on real workers: compat/). */
class TieredArchiveRestExtensionTest {

    @Test
    void aJakartaWorkerTakesTheExtension() {
        assertNull(TieredArchiveRestExtension.jaxRsProblem(ConnectRestExtensionContext.class));
    }

    @Test
    void aWorkerOfAnotherJaxRsIsToldWhy() {
        String problem = TieredArchiveRestExtension.jaxRsProblem(JavaxContext.class);
        assertTrue(problem.contains("uses java.lang (Kafka Connect 3.x)"), problem);
        assertTrue(problem.contains("need Jakarta JAX-RS"), problem);
    }

    /** Stands for Connect 3.x's context, whose configurable() is javax.ws.rs (not on this classpath). */
    private interface JavaxContext {
        Object configurable();
    }
}
