package io.tieredarchive.compat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The plugin package this build made ({@code distribution/target/kafka-connect-tiered-archive-<version>.zip}),
 * installed as a user installs it: unzipped into a directory that a worker's {@code plugin.path} lists.
 */
public final class PluginPackage {

    private PluginPackage() {
    }

    public static Path zip() {
        Path zip = Path.of(System.getProperty("plugin.package.zip", "")).toAbsolutePath();
        if (!Files.isRegularFile(zip)) {
            throw new IllegalStateException("No plugin package at " + zip + ": build it first (mvn -B -pl compat -am "
                    + "verify builds distribution before compat)");
        }
        return zip;
    }

    /** Unzips the package into {@code pluginPath} (created if absent); returns the package's root folder. */
    public static Path installInto(Path pluginPath) {
        try (InputStream in = Files.newInputStream(zip()); ZipInputStream entries = new ZipInputStream(in)) {
            Files.createDirectories(pluginPath);
            Path root = null;
            for (ZipEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
                Path target = pluginPath.resolve(entry.getName()).normalize();
                if (!target.startsWith(pluginPath)) {
                    throw new IllegalStateException("Zip entry outside the folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(entries, target, StandardCopyOption.REPLACE_EXISTING);
                }
                if (root == null) {
                    root = pluginPath.resolve(Path.of(entry.getName()).getName(0));
                }
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The plugin's own jars in an installed package's {@code lib/} (not the libraries it ships). */
    public static List<Path> ownJars(Path packageRoot) {
        try (Stream<Path> jars = Files.list(packageRoot.resolve("lib"))) {
            List<Path> own = new ArrayList<>(jars.filter(j -> j.getFileName().toString().startsWith("tiered-archive-"))
                    .sorted().toList());
            if (own.isEmpty()) {
                throw new IllegalStateException("No tiered-archive-*.jar in " + packageRoot.resolve("lib"));
            }
            return own;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
