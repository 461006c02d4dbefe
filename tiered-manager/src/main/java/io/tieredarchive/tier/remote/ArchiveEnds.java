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
 * names and where its records end. One listing per incarnation answers every partition of it that is opened:
 * <ul>
 *   <li>the listing goes through the incarnation's folder ({@code <prefix>/<topic>/<incarnation>/}, every key,
 *       page by page), or the partition's own folder when only one is opened; the store's LIST is what it holds
 *       now, so a marker the manifest names but the store no longer holds does not count;</li>
 *   <li>a listed marker the caller holds a copy of (a local sealed segment of the same name: base offset and
 *       writer, written once) is not read; the others are taken from the partition's manifest (one GET), and those
 *       missing from it too are read one by one;</li>
 *   <li>the listing stops after as many pages as partitions are opened (it never costs more LISTs than one per
 *       partition): a partition whose keys it did not reach is asked on its own, as a reader does
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

    /** What the store holds of one partition: its markers' names, and the offset after its last record or -1. */
    public record End(Set<String> markers, long endOffset) {
    }

    private final RemoteSegmentStore store;
    private final int pageSize;

    public ArchiveEnds(RemoteSegmentStore store) {
        this(store, PAGE_SIZE);
    }

    /** For tests: listing pages of {@code pageSize} keys. */
    ArchiveEnds(RemoteSegmentStore store, int pageSize) {
        this.store = store;
        this.pageSize = pageSize;
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
     * The marker names of each partition of {@code group} (one incarnation) that the listing reached within its
     * page budget; a partition it did not reach is absent.
     */
    private Map<ArchivePartition, Set<String>> list(List<ArchivePartition> group) throws SegmentException {
        RemoteLayout layout = store.layout();
        String prefix = group.size() == 1 ? layout.partitionPrefix(group.get(0))
                : layout.incarnationPrefix(group.get(0).topic(), group.get(0).incarnation());
        Map<Integer, ArchivePartition> wanted = new HashMap<>();
        Map<ArchivePartition, Set<String>> names = new HashMap<>();
        for (ArchivePartition p : group) {
            wanted.put(p.partition(), p);
            names.put(p, new HashSet<>());
        }
        String after = null;
        int pages = 0;
        int budget = Math.max(2, group.size());
        boolean complete = false;
        while (pages < budget) {
            List<ObjectInfo> page = store.backend().list(prefix, after, pageSize);
            pages++;
            for (ObjectInfo info : page) {
                collect(layout, group, wanted, names, info.key());
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
                String folder = layout.partitionPrefix(p);
                return last.startsWith(folder) || last.compareTo(folder) < 0;
            });
            log.info("Listing {} stopped after {} pages (the budget of {} partitions opened); {} of them are asked "
                    + "one by one", store.location() + prefix, pages, group.size(), group.size() - names.size());
        }
        log.debug("Listed {} in {} page(s) for {} partition(s)", store.location() + prefix, pages, group.size());
        return names;
    }

    /** Adds {@code key} to its partition's marker names when it is a marker of a partition of {@code group}. */
    private static void collect(RemoteLayout layout, List<ArchivePartition> group,
                                Map<Integer, ArchivePartition> wanted, Map<ArchivePartition, Set<String>> names,
                                String key) {
        String folder = layout.incarnationPrefix(group.get(0).topic(), group.get(0).incarnation());
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
