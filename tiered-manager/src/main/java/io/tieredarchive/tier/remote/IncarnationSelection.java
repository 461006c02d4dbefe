package io.tieredarchive.tier.remote;

import java.util.List;

/**
 * Which incarnations of a topic a reader wants (replay's {@code replay.incarnation}, the CLI's
 * {@code --incarnation}, the REST extension's {@code incarnation}):
 * <ul>
 *   <li>{@code latest}: the newest ({@link ArchiveCatalog#ORDER}): the live topic's, once it has been archived;</li>
 *   <li>{@code all}: every incarnation, oldest first (legacy first);</li>
 *   <li>{@code legacy}: the archives written before identities existed;</li>
 *   <li>an incarnation id {@code <clusterId>.<topicId>}, or a topic id alone.</li>
 * </ul>
 */
public record IncarnationSelection(String spec) {

    public static final String LATEST = "latest";
    public static final String ALL = "all";
    public static final IncarnationSelection LATEST_ONE = new IncarnationSelection(LATEST);
    public static final IncarnationSelection EVERY = new IncarnationSelection(ALL);

    public IncarnationSelection {
        String problem = problem(spec);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Why {@code spec} is not a selection, or null when it is one. */
    public static String problem(String spec) {
        if (spec == null || spec.isBlank()) {
            return "an incarnation selection is 'latest', 'all', 'legacy', <clusterId>.<topicId> or a topic id";
        }
        if (spec.equals(LATEST) || spec.equals(ALL) || spec.equals(Incarnation.LEGACY_ID)
                || Incarnation.parse(spec).isPresent() || spec.matches("[A-Za-z0-9_-]{1,64}")) {
            return null;
        }
        return "'" + spec + "' is not 'latest', 'all', 'legacy', <clusterId>.<topicId> or a topic id";
    }

    /** The selected incarnations among {@code incarnations} (ordered oldest first), in that order. */
    public List<ArchiveCatalog.Entry> select(List<ArchiveCatalog.Entry> incarnations) {
        return switch (spec) {
            case ALL -> incarnations;
            case LATEST -> incarnations.isEmpty() ? List.of() : List.of(incarnations.get(incarnations.size() - 1));
            default -> incarnations.stream().filter(e -> matches(e.incarnation())).toList();
        };
    }

    private boolean matches(Incarnation i) {
        if (spec.equals(Incarnation.LEGACY_ID)) {
            return i.isLegacy();
        }
        return !i.isLegacy() && (i.id().equals(spec) || i.topicId().equals(spec));
    }

    @Override
    public String toString() {
        return spec;
    }
}
