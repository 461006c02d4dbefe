package io.tieredarchive.testing;

/** Teardown of what a test class started ({@code @AfterAll}). */
public final class Closing {

    private Closing() {
    }

    /**
     * Closes each in turn, skipping nulls (what never started). Every one is closed even when an earlier one fails;
     * the first failure is then thrown, with the later ones suppressed in it.
     */
    public static void closeAll(AutoCloseable... closeables) throws Exception {
        Exception first = null;
        for (AutoCloseable c : closeables) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
