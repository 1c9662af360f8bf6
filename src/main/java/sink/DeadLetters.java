package sink;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a sink could not write, turned into messages for the dead-letter topic: the original key and
 * value unchanged, the reason and the original coordinates in headers (Connect's header names).
 */
public final class DeadLetters {

    public static final String ERROR_REASON = "__connect.errors.exception.message";
    public static final String ERROR_TOPIC = "__connect.errors.topic";
    public static final String ERROR_PARTITION = "__connect.errors.partition";
    public static final String ERROR_OFFSET = "__connect.errors.offset";
    public static final String ERROR_SINK = "__connect.errors.connector.name";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private final String sinkName;
    private final List<Message> messages = new ArrayList<>();
    private final CamelContext context;

    public DeadLetters(CamelContext context, String sinkName) {
        this.context = context;
        this.sinkName = sinkName;
    }

    /**
     * A record the sink cannot write: with errors.tolerance=all it becomes a dead letter, with none the
     * sink halts there (nothing after it is committed).
     */
    public void reject(SinkRecord record, String reason, boolean tolerate, String sinkLabel) {
        if (!tolerate) {
            throw new SinkHaltException(sinkLabel + " stopped at record " + record.coordinates() + " (errors.tolerance=none): " + reason);
        }
        LOG.warn("{}: record {} goes to the dead-letter topic: {}", sinkLabel, record.coordinates(), reason);
        add(record, reason);
    }

    public void add(SinkRecord record, String reason) {
        Message message = new DefaultMessage(context);
        message.setBody(record.valueBytes());
        if (record.keyBytes() != null) {
            message.setHeader(KafkaConstants.KEY, record.keyBytes());
        }
        message.setHeader(ERROR_REASON, reason);
        message.setHeader(ERROR_TOPIC, record.topic());
        message.setHeader(ERROR_PARTITION, Integer.toString(record.partition()));
        message.setHeader(ERROR_OFFSET, Long.toString(record.offset()));
        message.setHeader(ERROR_SINK, sinkName);
        messages.add(message);
    }

    public List<Message> messages() {
        return messages;
    }

    public boolean isEmpty() {
        return messages.isEmpty();
    }
}
