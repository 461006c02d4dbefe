package io.tieredarchive.reliability.faults.integration;

import io.tieredarchive.testing.ConnectorConfigs;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.testing.RecordAssertions;
import io.tieredarchive.sink.integration.ArchiveFixture;
import io.tieredarchive.testing.S3ProxyServer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

import java.util.List;
import java.util.Map;


/** The replay connector and its checks, for the reliability suite. */
final class ReplayFixture {

    private ReplayFixture() {
    }

    /** Replays {@code topic} (archived under the bucket's root) from {@code endpoint} into {@code target}. */
    static Map<String, String> replayConfig(String endpoint, S3ProxyServer s3, EmbeddedConnectCluster connect,
                                            String topic, String target) {
        Map<String, String> c = ConnectorConfigs.byteReplay(2);
        c.putAll(S3TestConnections.connectorKeys(
                "", endpoint, s3.accessKey(), s3.secretKey(), ArchiveFixture.BUCKET, ""));
        c.put("replay.topics", topic);
        c.put("replay.topic.format", target.replace(topic, "${topic}"));
        c.put("kafka.bootstrap.servers", connect.kafka().bootstrapServers());
        c.put("replay.batch.records", "2000");
        return c;
    }

    /** The sum of the topic's end offsets: every record written to it. */
    static long endOffsetSum(EmbeddedConnectCluster connect, String topic, int partitions) throws Exception {
        long sum = 0;
        for (int p = 0; p < partitions; p++) {
            sum += connect.kafka().endOffset(new TopicPartition(topic, p));
        }
        return sum;
    }

    /** The same records (key, value, timestamp, headers) in the same order, each once. */
    static void assertSameRecords(String where, List<ConsumerRecord<byte[], byte[]>> expected,
                                  List<ConsumerRecord<byte[], byte[]>> actual) {
        RecordAssertions.assertSameRecords(where, expected, actual);
    }
}
