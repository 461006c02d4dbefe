package io.tieredarchive.tier;

import io.tieredarchive.tier.storage.ObjectInfo;
import io.tieredarchive.tier.storage.StorageBackend;
import io.tieredarchive.tier.storage.StorageException;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A backend that records every request it forwards, so tests can assert on what was asked of the store. */
public final class RecordingBackend extends ForwardingBackend {

    /** One request: the operation, the key (or prefix), and for fetches the range asked. */
    public record Call(String op, String key, long position, int length) {
    }

    public final List<Call> calls = new CopyOnWriteArrayList<>();
    /** When set, requests whose call it accepts fail, as if the store were down. */
    public volatile Predicate<Call> failWhen = c -> false;

    public RecordingBackend(StorageBackend delegate) {
        super(delegate);
    }

    public List<Call> calls(String op) {
        return calls.stream().filter(c -> c.op().equals(op)).toList();
    }

    public void reset() {
        calls.clear();
    }

    private void record(Call call) throws StorageException {
        calls.add(call);
        if (failWhen.test(call)) {
            throw new StorageException("injected failure of " + call.op() + " " + call.key());
        }
    }

    @Override
    public ObjectInfo upload(String key, Path file, String crc32c, Map<String, String> metadata)
            throws StorageException {
        record(new Call("upload", key, 0, -1));
        return super.upload(key, file, crc32c, metadata);
    }

    @Override
    public ObjectInfo putIfMatch(String key, byte[] content, String expectedEtag) throws StorageException {
        record(new Call("put", key, 0, content.length));
        return super.putIfMatch(key, content, expectedEtag);
    }

    @Override
    public Optional<StoredObject> get(String key) throws StorageException {
        record(new Call("get", key, 0, -1));
        return super.get(key);
    }

    @Override
    public byte[] fetch(String key, long position, int length) throws StorageException {
        record(new Call("fetch", key, position, length));
        return super.fetch(key, position, length);
    }

    @Override
    public List<ObjectInfo> list(String prefix, String startAfter, int maxKeys) throws StorageException {
        record(new Call("list", prefix, 0, maxKeys));
        return super.list(prefix, startAfter, maxKeys);
    }

    @Override
    public List<String> listFolders(String prefix) throws StorageException {
        record(new Call("folders", prefix, 0, 0));
        return super.listFolders(prefix);
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws StorageException {
        record(new Call("head", key, 0, 0));
        return super.head(key);
    }

    @Override
    public void delete(String key) throws StorageException {
        record(new Call("delete", key, 0, 0));
        super.delete(key);
    }
}
