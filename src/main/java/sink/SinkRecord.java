package sink;

/**
 * One Kafka record as a sink sees it: where it came from, its timestamp (epoch milliseconds) and its key
 * and value text (either may be null).
 */
public record SinkRecord(String topic, int partition, long offset, long timestamp, String key, String value) {

    public String coordinates() {
        return topic + "-" + partition + "@" + offset;
    }
}
