package io.tieredarchive.cli;

import io.tieredarchive.tier.remote.RemoteSegmentStore;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** A command on the archive: opens the store from {@link StoreOptions}, runs, closes it. */
abstract class StoreCommand implements Callable<Integer> {

    @Mixin
    StoreOptions options;
    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        try (RemoteSegmentStore store = options.openStore()) {
            return run(store, spec.commandLine().getOut());
        }
    }

    /** Does the work; returns an {@link ExitCodes} value. */
    abstract int run(RemoteSegmentStore store, PrintWriter out) throws Exception;
}
