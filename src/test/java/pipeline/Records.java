package pipeline;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes raw records to a topic (as another producer or Kafka Connect would) and reads a topic back. */
final class Records implements AutoCloseable {

    private final KafkaProducer<String, String> producer;
    private final String bootstrapServers;

    Records(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("enable.idempotence", "true");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    void send(String topic, String key, String value) throws Exception {
        producer.send(new ProducerRecord<>(topic, 0, key, value)).get();
    }

    /** An envelope with one int64 field, as a record key. */
    static String longKey(String field, long value) {
        return "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"optional\":false,\"field\":\"" + field
                + "\"}],\"optional\":false},\"payload\":{\"" + field + "\":" + value + "}}";
    }

    record Read(String key, String value, java.util.Map<String, String> headers) {
    }

    /** Every record of the topic's partition 0 that exists now, key, value and headers as text. */
    List<Read> readAll(String topic) {
        List<Read> records = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : readAllBytes(bootstrapServers, topic)) {
            java.util.Map<String, String> headers = new java.util.HashMap<>();
            for (Header header : record.headers()) {
                headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
            }
            records.add(new Read(text(record.key()), text(record.value()), headers));
        }
        return records;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** Every record of the topic's partition 0 that exists now, as the bytes on Kafka (none if there is no such topic). */
    static List<ConsumerRecord<byte[], byte[]>> readAllBytes(String bootstrapServers, String topic) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("isolation.level", "read_committed");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            if (consumer.partitionsFor(topic).isEmpty()) {
                return records;
            }
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long deadline = System.currentTimeMillis() + 30_000;
            while (consumer.position(partition) < end && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** The end offset of the topic's partition 0 (records and transaction markers; 0 before the topic exists). */
    /** Sends the records, each acknowledged before the next, as a plain producer would. */
    static void send(String bootstrapServers, List<org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]>> records) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer = new org.apache.kafka.clients.producer.KafkaProducer<>(
                props, new org.apache.kafka.common.serialization.ByteArraySerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (var record : records) {
                producer.send(record).get();
            }
        }
    }

    static long endOffset(String bootstrapServers, String topic) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            return consumer.partitionsFor(topic).isEmpty() ? 0 : consumer.endOffsets(List.of(partition)).get(partition);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
