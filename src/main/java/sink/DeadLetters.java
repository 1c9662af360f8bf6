package sink;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;

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

    private final String sinkName;
    private final List<Message> messages = new ArrayList<>();
    private final CamelContext context;

    public DeadLetters(CamelContext context, String sinkName) {
        this.context = context;
        this.sinkName = sinkName;
    }

    public void add(SinkRecord record, String reason) {
        Message message = new DefaultMessage(context);
        message.setBody(record.value());
        if (record.key() != null) {
            message.setHeader(KafkaConstants.KEY, record.key());
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
