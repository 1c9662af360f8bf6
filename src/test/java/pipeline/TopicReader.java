package pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a whole topic as committed readers see it (read_committed): offset and the row's index of each record. */
final class TopicReader {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    record Entry(int partition, long offset, long index) {
    }

    private TopicReader() {
    }

    /** The row index of the record at each offset. */
    static Map<Long, Long> indexByOffset(String bootstrapServers, String topic) throws Exception {
        Map<Long, Long> indexes = new java.util.HashMap<>();
        for (Entry entry : readAll(bootstrapServers, topic)) {
            indexes.put(entry.offset(), entry.index());
        }
        return indexes;
    }

    static List<Entry> readAll(String bootstrapServers, String topic) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("isolation.level", "read_committed");
        props.put("enable.auto.commit", "false");
        List<Entry> entries = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + 60_000;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("timed out reading " + topic);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    long index = MAPPER.readTree(record.value()).path("payload").path("index").asLong();
                    entries.add(new Entry(record.partition(), record.offset(), index));
                }
            }
        }
        return entries;
    }

    /** The offset a consumer group committed for partition 0 of a topic, or -1. */
    static long committed(String bootstrapServers, String group, String topic) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", bootstrapServers))) {
            var offset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(new TopicPartition(topic, 0));
            return offset == null ? -1 : offset.offset();
        }
    }
}
