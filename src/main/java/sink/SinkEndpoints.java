package sink;

/**
 * The Kafka endpoints the sink routes read from and write dead letters to. Every option is a
 * placeholder of the sink's own properties ({@code <sink>.topics}, {@code <sink>.group.id}, ...), so a
 * second sink of the same kind is a second prefix, not new code.
 */
public final class SinkEndpoints {

    private static final String BYTES_IN = "org.apache.kafka.common.serialization.ByteArrayDeserializer";
    private static final String BYTES_OUT = "org.apache.kafka.common.serialization.ByteArraySerializer";

    private SinkEndpoints() {
    }

    /**
     * Batches of records for one sink: its own consumer group, only committed source transactions
     * (read_committed), offsets committed by the route after the write (manual commit), and on an error
     * the consumer reconnects and re-reads from the last committed offset (breakOnFirstError). Keys and
     * values arrive as bytes: the sink decodes them strictly and a dead letter keeps them unchanged.
     */
    public static String kafkaBatches(String sink, String maxRecordsProperty, String maxWaitProperty) {
        return "kafka:{{" + sink + ".topics}}"
                + "?brokers={{kafka.bootstrap.servers}}"
                + "&groupId={{" + sink + ".group.id}}"
                + "&autoOffsetReset=earliest"
                + "&isolationLevel=read_committed"
                + "&autoCommitEnable=false"
                + "&allowManualCommit=true"
                + "&breakOnFirstError=true"
                + "&batching=true"
                + "&keyDeserializer=" + BYTES_IN
                + "&valueDeserializer=" + BYTES_IN
                + "&maxPollRecords={{" + maxRecordsProperty + "}}"
                + "&pollTimeoutMs={{" + maxWaitProperty + "}}"
                + "&batchingIntervalMs={{" + maxWaitProperty + "}}";
    }

    public static String deadLetterTopic() {
        // each dead letter keeps its own headers (reason, original topic, partition, offset), and its key and
        // value bytes as they were: a String serializer would first decode them with the platform charset
        return "kafka:{{errors.deadletterqueue.topic.name}}?brokers={{kafka.bootstrap.servers}}&batchWithIndividualHeaders=true"
                + "&keySerializer=" + BYTES_OUT + "&valueSerializer=" + BYTES_OUT;
    }
}
