package io.tieredarchive.tier.storage;

import java.util.ArrayList;
import java.util.List;

/** Lists the keys under a prefix in lexicographic (UTF-8 binary) order, one page at a time. */
@FunctionalInterface
public interface ObjectLister {

    /**
     * Up to {@code maxKeys} objects whose key starts with {@code prefix} and sorts after {@code startAfter}
     * (null: from the first). Fewer than {@code maxKeys} results means there are no more.
     */
    List<ObjectInfo> list(String prefix, String startAfter, int maxKeys) throws StorageException;

    /** Every object under {@code prefix} after {@code startAfter}, page by page. */
    default List<ObjectInfo> listAll(String prefix, String startAfter) throws StorageException {
        return listBetween(prefix, startAfter, null);
    }

    /**
     * Objects under {@code prefix} with {@code startAfter < key < endBefore} (nulls: unbounded); stops paging as
     * soon as a key reaches {@code endBefore}, so a narrow range costs one request.
     */
    default List<ObjectInfo> listBetween(String prefix, String startAfter, String endBefore) throws StorageException {
        final int pageSize = 1000;
        List<ObjectInfo> all = new ArrayList<>();
        String after = startAfter;
        while (true) {
            List<ObjectInfo> page = list(prefix, after, pageSize);
            for (ObjectInfo info : page) {
                if (endBefore != null && info.key().compareTo(endBefore) >= 0) {
                    return all;
                }
                all.add(info);
            }
            if (page.size() < pageSize) {
                return all;
            }
            after = page.get(page.size() - 1).key();
        }
    }
}
