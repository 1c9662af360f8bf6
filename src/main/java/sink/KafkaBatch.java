package sink;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.common.TopicPartition;

/**
 * The records of one batch delivered by camel-kafka in batching mode (a list of exchanges), and the
 * commit of their offsets. The sink routes commit only after the batch is safely written, so anything
 * not yet written is read again after a crash or a retry.
 */
public final class KafkaBatch {

    /** Exchange property holding the polled exchanges while the body is replaced by what the sink produces. */
    public static final String POLLED = "kafkaPipelinePolledBatch";

    private KafkaBatch() {
    }

    /** Keeps the polled exchanges aside (the following steps replace the body) and returns them as records. */
    public static List<SinkRecord> remember(Exchange batch) {
        List<?> polled = batch.getMessage().getBody(List.class);
        batch.setProperty(POLLED, polled);
        return records(polled);
    }

    public static List<SinkRecord> records(List<?> polled) {
        List<SinkRecord> records = new ArrayList<>(polled.size());
        for (Object item : polled) {
            Message message = ((Exchange) item).getMessage();
            records.add(new SinkRecord(
                    message.getHeader(KafkaConstants.TOPIC, String.class),
                    message.getHeader(KafkaConstants.PARTITION, Integer.class),
                    message.getHeader(KafkaConstants.OFFSET, Long.class),
                    message.getHeader(KafkaConstants.TIMESTAMP, -1L, Long.class),
                    message.getHeader(KafkaConstants.KEY, String.class),
                    message.getBody(String.class)));
        }
        return records;
    }

    /** Commits, for each partition in the batch, the offset after its last record. Runs on the consumer thread. */
    public static void commitOffsets(Exchange batch) {
        List<?> polled = batch.getProperty(POLLED, List.class);
        Map<TopicPartition, KafkaManualCommit> lastByPartition = new LinkedHashMap<>();
        for (Object item : polled) {
            Message message = ((Exchange) item).getMessage();
            TopicPartition partition = new TopicPartition(message.getHeader(KafkaConstants.TOPIC, String.class),
                    message.getHeader(KafkaConstants.PARTITION, Integer.class));
            lastByPartition.put(partition, message.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class));
        }
        for (KafkaManualCommit commit : lastByPartition.values()) {
            commit.commit();
        }
    }
}
