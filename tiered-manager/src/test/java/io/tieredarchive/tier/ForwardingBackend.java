package io.tieredarchive.tier;

import io.tieredarchive.tier.storage.ObjectInfo;
import io.tieredarchive.tier.storage.StorageBackend;
import io.tieredarchive.tier.storage.StorageException;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A backend that passes every call to another; tests override the calls they want to watch or bend. */
public class ForwardingBackend implements StorageBackend {

    protected final StorageBackend delegate;

    public ForwardingBackend(StorageBackend delegate) {
        this.delegate = delegate;
    }

    @Override
    public ObjectInfo upload(String key, Path file, String crc32c, Map<String, String> metadata)
            throws StorageException {
        return delegate.upload(key, file, crc32c, metadata);
    }

    @Override
    public ObjectInfo putIfMatch(String key, byte[] content, String expectedEtag) throws StorageException {
        return delegate.putIfMatch(key, content, expectedEtag);
    }

    @Override
    public boolean atomicConditionalWrites() {
        return delegate.atomicConditionalWrites();
    }

    @Override
    public Optional<StoredObject> get(String key) throws StorageException {
        return delegate.get(key);
    }

    @Override
    public byte[] fetch(String key, long position, int length) throws StorageException {
        return delegate.fetch(key, position, length);
    }

    @Override
    public List<ObjectInfo> list(String prefix, String startAfter, int maxKeys) throws StorageException {
        return delegate.list(prefix, startAfter, maxKeys);
    }

    @Override
    public List<String> listFolders(String prefix) throws StorageException {
        return delegate.listFolders(prefix);
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws StorageException {
        return delegate.head(key);
    }

    @Override
    public void delete(String key) throws StorageException {
        delegate.delete(key);
    }

    @Override
    public String location() {
        return delegate.location();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
