package io.tieredarchive.sink;

import io.tieredarchive.config.PluginInstances;
import io.tieredarchive.segment.ArchivedHeader;
import io.tieredarchive.segment.ArchivedRecord;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.storage.Converter;
import org.apache.kafka.connect.storage.ConverterType;
import org.apache.kafka.connect.storage.HeaderConverter;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link SinkRecord} back into bytes for the archive. Connect converts every consumed record with the
 * connector's converters before the task sees it and does not tell the task which ones; so the rule is:
 * <ol>
 *   <li>A key, value or header value that is {@code byte[]} (or a {@link ByteBuffer}) is archived as it is. With
 *       {@code ByteArrayConverter} for key, value and headers, this is every record, and the archive holds the
 *       consumed bytes exactly.</li>
 *   <li>Null stays null: a null key, a null value (tombstone), a null header value.</li>
 *   <li>Anything else is serialized with the converter named in the connector config under {@code key.converter},
 *       {@code value.converter} or {@code header.converter}, configured with that key's prefixed settings
 *       ({@code value.converter.schemas.enable=...}), as Connect itself would configure it. When the connector
 *       config does not name one (the worker's default converter is invisible to a task), keys and values use
 *       {@code JsonConverter} with {@code schemas.enable=false} and headers use {@code SimpleHeaderConverter}.</li>
 * </ol>
 * A value a converter cannot serialize raises {@link DataException}, which the task sends to Connect's error
 * reporter (errors.tolerance, dead letter queue).
 *
 * <p>The record is archived under its original topic, partition and offset ({@link SinkRecord#originalTopic()}
 * and friends), so transformations that rename topics do not move records between archive partitions.
 */
final class RecordConverter implements Closeable {

    /** Shared by every record without headers (most): an empty array has nothing to change. */
    private static final org.apache.kafka.common.header.Header[] NO_HEADERS =
            new org.apache.kafka.common.header.Header[0];

    static final String KEY_CONVERTER = "key.converter";
    static final String VALUE_CONVERTER = "value.converter";
    static final String HEADER_CONVERTER = "header.converter";
    static final String DEFAULT_CONVERTER = "org.apache.kafka.connect.json.JsonConverter";
    static final String DEFAULT_HEADER_CONVERTER = "org.apache.kafka.connect.storage.SimpleHeaderConverter";

    private final Converter keyConverter;
    private final Converter valueConverter;
    private final HeaderConverter headerConverter;

    RecordConverter(Converter keyConverter, Converter valueConverter, HeaderConverter headerConverter) {
        this.keyConverter = keyConverter;
        this.valueConverter = valueConverter;
        this.headerConverter = headerConverter;
    }

    /** The converters the connector config names (see the class comment), instantiated and configured. */
    static RecordConverter fromConnectorConfig(Map<String, String> props) {
        Converter key = newPlugin(props, KEY_CONVERTER, DEFAULT_CONVERTER, Converter.class);
        key.configure(settings(props, KEY_CONVERTER, ConverterType.KEY), true);
        Converter value = newPlugin(props, VALUE_CONVERTER, DEFAULT_CONVERTER, Converter.class);
        value.configure(settings(props, VALUE_CONVERTER, ConverterType.VALUE), false);
        HeaderConverter header = newPlugin(props, HEADER_CONVERTER, DEFAULT_HEADER_CONVERTER, HeaderConverter.class);
        header.configure(settings(props, HEADER_CONVERTER, ConverterType.HEADER));
        return new RecordConverter(key, value, header);
    }

    private static <T> T newPlugin(Map<String, String> props, String key, String defaultClass, Class<T> type) {
        String className = props.getOrDefault(key, defaultClass).trim();
        try {
            return PluginInstances.newInstance(className, type);
        } catch (ClassNotFoundException | RuntimeException e) {
            throw new ConfigException(key, className, "cannot instantiate " + type.getSimpleName() + ": " + e);
        }
    }

    private static Map<String, Object> settings(Map<String, String> props, String key, ConverterType type) {
        Map<String, Object> settings = new HashMap<>();
        if (!props.containsKey(key) && type != ConverterType.HEADER) {
            settings.put("schemas.enable", "false"); // our default JsonConverter: plain JSON, no envelope
        }
        String prefix = key + ".";
        props.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                settings.put(k.substring(prefix.length()), v);
            }
        });
        settings.put("converter.type", type.getName());
        return settings;
    }

    /** The record as it goes into the archive. */
    ArchivedRecord convert(SinkRecord record) {
        String topic = record.originalTopic();
        byte[] key = toBytes(record.key(), () -> keyConverter.fromConnectData(topic, record.keySchema(),
                record.key()));
        byte[] value = toBytes(record.value(), () -> valueConverter.fromConnectData(topic, record.valueSchema(),
                record.value()));
        Long timestamp = record.timestamp();
        TimestampType type = timestamp == null ? TimestampType.NO_TIMESTAMP_TYPE : record.timestampType();
        return new ArchivedRecord(record.originalKafkaOffset(), timestamp == null ? -1L : timestamp, type, key, value,
                headers(topic, record.headers()));
    }

    private org.apache.kafka.common.header.Header[] headers(String topic, Headers connectHeaders) {
        if (connectHeaders.isEmpty()) {
            return NO_HEADERS;
        }
        List<org.apache.kafka.common.header.Header> headers = new ArrayList<>();
        for (Header header : connectHeaders) {
            Schema schema = header.schema();
            byte[] bytes = toBytes(header.value(), () -> headerConverter.fromConnectHeader(topic, header.key(),
                    schema, header.value()));
            headers.add(new ArchivedHeader(header.key(), bytes));
        }
        return headers.toArray(org.apache.kafka.common.header.Header[]::new);
    }

    private interface Serializer {
        byte[] serialize();
    }

    private static byte[] toBytes(Object value, Serializer serializer) {
        if (value == null) {
            return null;
        }
        if (value instanceof byte[] bytes) {
            return bytes;
        }
        if (value instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return bytes;
        }
        return serializer.serialize();
    }

    @Override
    public void close() {
        PluginInstances.closeQuietly(keyConverter, "key converter");
        PluginInstances.closeQuietly(valueConverter, "value converter");
        PluginInstances.closeQuietly(headerConverter, "header converter");
    }
}
