package io.tieredarchive.reliability.secrets;

import io.tieredarchive.testing.S3ProxyServer;

import java.util.List;

/** The secret keys the build's tests give the code, which must never show up in what it logs or prints. */
public final class Secrets {

    /** Distinctive secrets of the reliability suite's own tests. */
    public static final String RELIABILITY_SECRET = "rel-Secret-7Hq2-wX9z-never-print";
    public static final String WRONG_SECRET = "rel-wrong-secret-4Kd8-never-print";

    private Secrets() {
    }

    /**
     * Every secret the build's tests configure: S3Proxy's, the second store's of the copy tests, the CLI and unit
     * tests' made-up ones, and this suite's. Short or common words are left out: they would match by chance.
     */
    public static List<String> all() {
        return List.of(S3ProxyServer.SECRET_KEY, RELIABILITY_SECRET, WRONG_SECRET, "other-secret", "very-secret",
                "not-the-secret", "s3cr3t-value");
    }
}
