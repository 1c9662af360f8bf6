package s3;

import record.Row;
import sink.SinkRecord;

/** One folder per Kafka partition: {@code partition=<n>}. */
public final class DefaultPartitioner implements Partitioner {

    public static String folder(int partition) {
        return "partition=" + partition;
    }

    @Override
    public String encodedPartition(SinkRecord record, Row value) {
        return folder(record.partition());
    }

    @Override
    public boolean needsValue() {
        return false;
    }

    @Override
    public boolean deterministic() {
        return true;
    }
}
