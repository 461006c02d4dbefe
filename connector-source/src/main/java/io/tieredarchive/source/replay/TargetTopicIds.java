package io.tieredarchive.source.replay;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The topic ids of the target topics a task writes to (asked once per topic through the task's Admin client), so
 * that its offset syncs name the incarnation of the target they describe: syncs of a target topic deleted and
 * created again never count for the new one.
 */
public final class TargetTopicIds implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TargetTopicIds.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final Supplier<Admin> admins;
    private final Map<String, String> ids = new ConcurrentHashMap<>();
    private Admin admin;

    public TargetTopicIds(Supplier<Admin> admins) {
        this.admins = admins;
    }

    /** The id of {@code topic}, or null when Kafka cannot tell now (asked again next time). */
    public synchronized String id(String topic) {
        String id = ids.get(topic);
        if (id != null) {
            return id;
        }
        try {
            if (admin == null) {
                admin = admins.get();
            }
            TopicDescription d = admin.describeTopics(List.of(topic), new DescribeTopicsOptions()
                    .timeoutMs((int) TIMEOUT.toMillis())).topicNameValues().get(topic)
                    .get(TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            id = d.topicId().toString();
            ids.put(topic, id);
            return id;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            log.warn("Cannot read the topic id of target topic {} now; its offset syncs wait: {}", topic,
                    e.toString());
            return null;
        }
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }
}
