package source;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Source offsets kept in a compacted Kafka topic, keyed by table. They are written in the same Kafka
 * transaction as the rows they cover (see {@link TableCapture}), so the topic and the offsets never
 * disagree; reading with read_committed ignores aborted attempts.
 */
public class OffsetStore {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetStore.class);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private final String topic;
    private final Properties clientProperties;

    public OffsetStore(String topic, Properties clientProperties) {
        this.topic = topic;
        this.clientProperties = clientProperties;
    }

    public String topic() {
        return topic;
    }

    /**
     * Commits {@code start} as the offset of {@code key} unless Kafka holds one: with a producer of the table's
     * {@code transactionalId}, whose start fences every earlier one, and a second read after that, so an offset
     * committed by an instance that polled until a moment ago is never overwritten. This instance's own route
     * producer is fenced too: its first transaction fails and the route starts again with a new producer.
     */
    public void commitIfNone(String transactionalId, String key, Supplier<SourceOffset> start) {
        if (loadAll().containsKey(key)) {
            return;
        }
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(READ_TIMEOUT.toMillis()));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            if (loadAll().containsKey(key)) {
                return;
            }
            SourceOffset offset = start.get();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, key, offset.toJson()));
            producer.commitTransaction();
            LOG.info("Source offsets: {} starts from now, committed as {}", key, offset.toJson());
        }
    }

    /** Creates the compacted offsets topic unless it exists (one partition: offsets are few and small). */
    public void ensureTopic() {
        try (Admin admin = Admin.create(clientProperties)) {
            NewTopic newTopic = new NewTopic(topic, Optional.of(1), Optional.empty())
                    .configs(Map.of("cleanup.policy", "compact"));
            admin.createTopics(List.of(newTopic)).all().get();
            LOG.info("Created source offsets topic {}", topic);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create source offsets topic '" + topic + "': " + e.getCause().getMessage(), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + topic, e);
        }
    }

    /**
     * Reads the whole topic and returns the newest committed offset of each key. Every table's offsets share
     * the topic, each written in its own table's transactions: a read_committed reader stops at the first
     * transaction still open, and newer offsets committed after it would be missed (and rows sent again).
     * So it reads up to the end of the log as it is when the read starts, which it reaches once every
     * transaction open at that moment has ended.
     */
    public Map<String, SourceOffset> loadAll() {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, SourceOffset> offsets = new HashMap<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, READ_TIMEOUT);
            List<TopicPartition> assigned = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> end = endOfLog(assigned);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (assigned.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out reading source offsets from " + topic);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null) {
                        offsets.remove(record.key());
                    } else {
                        offsets.put(record.key(), SourceOffset.fromJson(record.value()));
                    }
                }
            }
        }
        return offsets;
    }

    /** The end of the log including records of transactions still open (a read_committed reader reports only up to them). */
    private Map<TopicPartition, Long> endOfLog(List<TopicPartition> partitions) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            return consumer.endOffsets(partitions, READ_TIMEOUT);
        }
    }
}
