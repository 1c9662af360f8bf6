package sink;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The records of one batch delivered by camel-kafka in batching mode (a list of exchanges), and the
 * commit of their offsets. The sink routes commit only after the batch is safely written, so anything
 * not yet written is read again after a crash or a retry.
 */
public final class KafkaBatch {

    /** Exchange property holding the polled exchanges while the body is replaced by what the sink produces. */
    public static final String POLLED = "kafkaPipelinePolledBatch";
    /**
     * Property of a polled record's exchange: what the flow's transforms made of its value
     * ({@link SinkRecord.Transformed}); absent (null) where the sink reads the value itself (no transforms, a
     * tombstone, a record that is not JSON).
     */
    public static final String TRANSFORMED = "kafkaPipelineTransformed";
    /** Exchange property: per partition, the manual commit of the batch's last record there. */
    private static final String LAST_COMMITS = "kafkaPipelineLastCommits";

    private KafkaBatch() {
    }

    /**
     * Keeps the polled exchanges aside (the following steps replace the body) and returns them as records.
     * A record's topic, partition and offset come from its manual-commit handle: one header lookup
     * instead of three (Camel's headers are a case-insensitive tree, and this runs for every record).
     */
    public static List<SinkRecord> remember(Exchange batch) {
        List<?> polled = batch.getMessage().getBody(List.class);
        batch.setProperty(POLLED, polled);
        Map<TopicPartition, DefaultKafkaManualCommit> lastCommits = new LinkedHashMap<>();
        List<SinkRecord> records = new ArrayList<>(polled.size());
        for (Object item : polled) {
            Exchange record = (Exchange) item;
            Message message = record.getMessage();
            DefaultKafkaManualCommit commit = manualCommit(message);
            TopicPartition partition = commit.getPartition();
            lastCommits.put(partition, commit);
            records.add(new SinkRecord(partition.topic(), partition.partition(), commit.getRecordOffset(),
                    message.getHeader(KafkaConstants.TIMESTAMP, -1L, Long.class),
                    bytes(message.getHeader(KafkaConstants.KEY)), bytes(message.getBody()),
                    record.getProperty(TRANSFORMED, SinkRecord.Transformed.class)));
        }
        batch.setProperty(LAST_COMMITS, lastCommits);
        return records;
    }

    /** Commits, for each partition in the batch, the offset after its last record. Runs on the consumer thread. */
    public static void commitOffsets(Exchange batch) {
        Map<?, ?> lastCommits = batch.getProperty(LAST_COMMITS, Map.class);
        for (Object commit : lastCommits.values()) {
            ((DefaultKafkaManualCommit) commit).commit();
        }
    }

    /** The Kafka consumer that polled the batch (camel-kafka hands it over with each record's manual commit). */
    public static Consumer<?, ?> consumerOf(Exchange batch) {
        List<?> polled = batch.getProperty(POLLED, List.class);
        return manualCommit(((Exchange) polled.get(0)).getMessage()).getConsumer();
    }

    /**
     * The sinks read keys and values as bytes (the routes set ByteArrayDeserializer) and decode them strictly
     * themselves: Kafka's StringDeserializer would replace malformed UTF-8 without a word.
     */
    private static byte[] bytes(Object keyOrValue) {
        if (keyOrValue == null || keyOrValue instanceof byte[]) {
            return (byte[]) keyOrValue;
        }
        throw new IllegalStateException("the sinks need camel-kafka's ByteArrayDeserializer for keys and values (got a "
                + keyOrValue.getClass().getName() + ")");
    }

    private static DefaultKafkaManualCommit manualCommit(Message message) {
        Object commit = message.getHeader(KafkaConstants.MANUAL_COMMIT);
        if (commit instanceof DefaultKafkaManualCommit manual) {
            return manual;
        }
        throw new IllegalStateException("the sinks need camel-kafka's allowManualCommit=true (no manual commit in " + commit + ")");
    }
}
