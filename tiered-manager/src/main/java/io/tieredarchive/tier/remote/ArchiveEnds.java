package io.tieredarchive.tier.remote;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.storage.ObjectInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one store holds of many partitions now, for a sink task opening them all at once: each partition's marker
 * names and where its records end. A few listings per incarnation answer every partition of it that is opened:
 * <ul>
 *   <li>one listing of the incarnation's folder by {@code /} ({@code <prefix>/<topic>/<incarnation>/}: one page per
 *       1,000 partition folders) says which partitions it holds; then every key under the opened partitions'
 *       folders is listed by decimal prefix of the partition number, each prefix holding at most
 *       {@value #GROUP_PARTITIONS} partition folders where it can (prefix {@code 1} holds 1, 10-19, 100-199...; one
 *       holding more is split into the folder {@code 1/} and the prefixes {@code 10} to {@code 19}). Those listings
 *       run a few at once. A store whose LIST walks everything under the prefix asked (S3Proxy on a file system,
 *       whatever the page size) so walks each key once, not once per page of the whole folder; AWS S3, whose page
 *       costs the same whatever the folder, pays about one page per prefix (two to three times the pages of one
 *       listing of the whole folder when partitions hold about 5 keys each). A single partition opened lists its
 *       own folder only;</li>
 *   <li>the store's LIST is what it holds now, so a marker the manifest names but the store no longer holds does
 *       not count;</li>
 *   <li>a listed marker the caller holds a copy of (a local sealed segment of the same name: base offset and
 *       writer, written once) is not read; the others are taken from the partition's manifest (one GET), and those
 *       missing from it too are read one by one;</li>
 *   <li>a prefix's listing stops after as many pages as partitions it is listed for (it never costs more LISTs than
 *       one per partition): a partition whose keys it did not reach is asked on its own, as a reader does
 *       ({@link RemoteSegmentStore#view}: a manifest GET and a LIST after it). The legacy incarnation, whose
 *       folder holds the other incarnations' too, is always asked that way.</li>
 * </ul>
 * The reads per partition run on a few threads at once.
 */
public final class ArchiveEnds {

    private static final Logger log = LoggerFactory.getLogger(ArchiveEnds.class);
    private static final int PAGE_SIZE = 1000;
    /** Reads of the store at once; the SDK's own connection pool bounds them too. */
    private static final int READ_THREADS = 8;
    /** Partition folders one listing walks at most where a split can tell (about 1,000 keys at 5 per partition). */
    static final int GROUP_PARTITIONS = 200;

    /** What the store holds of one partition: its markers' names, and the offset after its last record or -1. */
    public record End(Set<String> markers, long endOffset) {
    }

    private final RemoteSegmentStore store;
    private final int pageSize;
    private final int groupPartitions;

    public ArchiveEnds(RemoteSegmentStore store) {
        this(store, PAGE_SIZE, GROUP_PARTITIONS);
    }

    /** For tests: listing pages of {@code pageSize} keys, prefixes of at most {@code groupPartitions} folders. */
    ArchiveEnds(RemoteSegmentStore store, int pageSize, int groupPartitions) {
        if (pageSize < 1 || groupPartitions < 1) {
            throw new IllegalArgumentException("pageSize and groupPartitions must be positive");
        }
        this.store = store;
        this.pageSize = pageSize;
        this.groupPartitions = groupPartitions;
    }

    /**
     * The end of each partition of {@code local}'s keys in the store.
     *
     * @param local per partition, the markers of its local sealed segments (may be empty): listed markers of the
     *              same name are taken from there rather than read from the store
     */
    public Map<ArchivePartition, End> of(Map<ArchivePartition, ? extends Collection<SegmentMetadata>> local)
            throws SegmentException {
        Map<String, List<ArchivePartition>> byFolder = new LinkedHashMap<>();
        for (ArchivePartition p : local.keySet()) {
            String folder = p.incarnation().isLegacy() ? store.layout().partitionPrefix(p)
                    : store.layout().incarnationPrefix(p.topic(), p.incarnation());
            byFolder.computeIfAbsent(folder, k -> new ArrayList<>()).add(p);
        }
        Map<ArchivePartition, Set<String>> listed = new HashMap<>();
        for (List<ArchivePartition> group : byFolder.values()) {
            if (!group.get(0).incarnation().isLegacy()) {
                listed.putAll(list(group));
            }
        }
        return BoundedTasks.run(local.keySet(), READ_THREADS, "tiered-archive-open", p -> {
            Set<String> names = listed.get(p);
            return names != null ? fromListing(p, names, local.get(p)) : asked(p);
        });
    }

    /**
     * The marker names of each partition of {@code group} (one incarnation) that the listings reached within their
     * page budgets; a partition they did not reach is absent.
     */
    private Map<ArchivePartition, Set<String>> list(List<ArchivePartition> group) throws SegmentException {
        RemoteLayout layout = store.layout();
        String folder = layout.incarnationPrefix(group.get(0).topic(), group.get(0).incarnation());
        Map<String, ArchivePartition> opened = new HashMap<>();
        group.forEach(p -> opened.put(Integer.toString(p.partition()), p));
        List<String> prefixes = group.size() == 1 ? List.of(opened.keySet().iterator().next() + "/")
                : prefixes(opened.keySet(), store.backend().listFolders(folder), groupPartitions);
        Map<ArchivePartition, Set<String>> names = new HashMap<>();
        BoundedTasks.run(prefixes, READ_THREADS, "tiered-archive-list", prefix -> {
            List<ArchivePartition> under = new ArrayList<>();
            opened.forEach((number, p) -> {
                if ((number + "/").startsWith(prefix)) {
                    under.add(p);
                }
            });
            return listPrefix(folder, prefix, under);
        }).values().forEach(names::putAll);
        log.debug("Listed {} by {} prefix(es) for {} partition(s)", store.location() + folder, prefixes.size(),
                group.size());
        return names;
    }

    /**
     * Decimal prefixes of partition numbers (of {@code opened}, under the incarnation's folder) that together hold
     * every opened partition's folder, each holding at most {@code max} of the {@code existing} folders where a
     * split can tell: a prefix holding more is split into its own partition's folder ({@code s/}, when opened) and
     * the prefixes {@code s0} to {@code s9}. Prefixes holding no opened partition are left out.
     */
    static List<String> prefixes(Collection<String> opened, Collection<String> existing, int max) {
        List<String> out = new ArrayList<>();
        split("", opened, existing, max, out);
        return out;
    }

    private static void split(String s, Collection<String> opened, Collection<String> existing, int max,
                              List<String> out) {
        List<String> mine = opened.stream().filter(o -> o.startsWith(s)).toList();
        if (mine.isEmpty()) {
            return;
        }
        List<String> under = existing.stream().filter(e -> e.startsWith(s)).toList();
        if (under.size() <= max) {
            out.add(s);
            return;
        }
        if (mine.contains(s)) {
            out.add(s + "/");
        }
        for (char digit = '0'; digit <= '9'; digit++) {
            split(s + digit, mine, under, max, out);
        }
    }

    /**
     * The marker names of each of {@code under} (the opened partitions whose folders {@code folder + prefix} holds)
     * that the listing reached within its budget of pages, one per partition (at least 2).
     */
    private Map<ArchivePartition, Set<String>> listPrefix(String folder, String prefix, List<ArchivePartition> under)
            throws SegmentException {
        RemoteLayout layout = store.layout();
        Map<Integer, ArchivePartition> wanted = new HashMap<>();
        Map<ArchivePartition, Set<String>> names = new HashMap<>();
        for (ArchivePartition p : under) {
            wanted.put(p.partition(), p);
            names.put(p, new HashSet<>());
        }
        String after = null;
        int pages = 0;
        int budget = Math.max(2, under.size());
        boolean complete = false;
        while (pages < budget) {
            List<ObjectInfo> page = store.backend().list(folder + prefix, after, pageSize);
            pages++;
            for (ObjectInfo info : page) {
                collect(folder, wanted, names, info.key());
            }
            if (page.size() < pageSize) {
                complete = true;
                break;
            }
            after = page.get(page.size() - 1).key();
        }
        if (!complete) {
            String last = after;
            // Keys sort by name: a partition's folder is listed in full once a key after it came.
            names.keySet().removeIf(p -> {
                String partitionFolder = layout.partitionPrefix(p);
                return last.startsWith(partitionFolder) || last.compareTo(partitionFolder) < 0;
            });
            log.info("Listing {} stopped after {} pages (the budget of {} partitions opened); {} of them are asked "
                    + "one by one", store.location() + folder + prefix, pages, under.size(),
                    under.size() - names.size());
        }
        return names;
    }

    /** Adds {@code key} to its partition's marker names when it is a marker of a partition of {@code wanted}. */
    private static void collect(String folder, Map<Integer, ArchivePartition> wanted,
                                Map<ArchivePartition, Set<String>> names, String key) {
        int slash = key.indexOf('/', folder.length());
        if (!key.startsWith(folder) || slash < 0) {
            return;
        }
        ArchivePartition p;
        try {
            p = wanted.get(Integer.parseInt(key.substring(folder.length(), slash)));
        } catch (NumberFormatException e) {
            return; // incarnation.json, or a foreign object
        }
        String name = key.substring(slash + 1);
        if (p != null && RemoteLayout.parseMarkerName(name).isPresent()) {
            names.get(p).add(name);
        }
    }

    /** The end of {@code p} from its listed markers: local copies first, then the manifest, then the markers. */
    private End fromListing(ArchivePartition p, Set<String> names, Collection<SegmentMetadata> local)
            throws SegmentException {
        Map<String, SegmentMetadata> known = new HashMap<>();
        for (SegmentMetadata m : local) {
            if (p.holds(m)) {
                known.put(RemoteLayout.markerName(m), m);
            }
        }
        long end = -1;
        List<String> unknown = new ArrayList<>();
        for (String name : names) {
            SegmentMetadata m = known.get(name);
            if (m != null) {
                end = Math.max(end, endOf(m));
            } else {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            Map<String, SegmentMetadata> registered = new HashMap<>();
            store.manifestOf(p).segments().forEach(m -> registered.put(RemoteLayout.markerName(m), m));
            for (String name : unknown) {
                SegmentMetadata m = registered.get(name);
                end = Math.max(end, endOf(m != null ? m : store.readMarker(p, name)));
            }
        }
        return new End(names, end);
    }

    /** {@code p} asked on its own, as a reader does. */
    private End asked(ArchivePartition p) throws SegmentException {
        PartitionView view = store.view(p);
        Set<String> names = new HashSet<>();
        view.segments().forEach(m -> names.add(RemoteLayout.markerName(m)));
        return new End(names, view.endOffset());
    }

    private static long endOf(SegmentMetadata m) {
        return m.recordCount() > 0 ? m.nextOffset() : -1;
    }
}
