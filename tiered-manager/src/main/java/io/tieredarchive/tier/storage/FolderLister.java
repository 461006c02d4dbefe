package io.tieredarchive.tier.storage;

import java.util.List;

/** Lists the "folders" directly below a prefix: S3's common prefixes with delimiter {@code /}. */
@FunctionalInterface
public interface FolderLister {

    /**
     * The distinct names {@code x} such that some key starts with {@code prefix + x + "/"} and {@code x} holds no
     * slash, sorted. {@code prefix} is empty or ends with a slash.
     */
    List<String> listFolders(String prefix) throws StorageException;
}
