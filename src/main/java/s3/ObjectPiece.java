package s3;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.TopicPartition;
import record.Row;
import sink.SinkRecord;

/**
 * Consecutive records of one Kafka partition that go to one folder and into one object: the unit the S3
 * route's aggregator adds to an object. {@link S3Batches#cut} cuts a batch into pieces where an object
 * must end (s3.flush.size reached, s3.rotate.interval.ms passed, another schema), so the aggregator
 * never has to split a piece, and Camel handles a few pieces per batch instead of every record.
 */
public final class ObjectPiece {

    /** A record with what the sink read from it: its value (null when the format and partitioner need none) and its time. */
    public record Entry(SinkRecord record, Row value, long time) {
    }

    private final String group;
    private final TopicPartition partition;
    private final String folder;
    private final boolean startsObject;
    private final List<Entry> entries = new ArrayList<>();
    private long writtenUpTo;

    ObjectPiece(String group, TopicPartition partition, String folder, boolean startsObject) {
        this.group = group;
        this.partition = partition;
        this.folder = folder;
        this.startsObject = startsObject;
    }

    /** The aggregator's correlation key: one open object per Kafka partition and folder. */
    public String group() {
        return group;
    }

    public TopicPartition partition() {
        return partition;
    }

    public String folder() {
        return folder;
    }

    /** Whether this piece begins a new object: any object still open in its group is complete first. */
    public boolean startsObject() {
        return startsObject;
    }

    public List<Entry> entries() {
        return entries;
    }

    long firstOffset() {
        return entries.get(0).record().offset();
    }

    void add(Entry entry) {
        entries.add(entry);
    }

    /**
     * The partition's offset below which every record is handled once this piece is in its object:
     * the first record of the batch's later pieces of the partition, or the batch's end.
     */
    public long writtenUpTo() {
        return writtenUpTo;
    }

    void writtenUpTo(long offset) {
        this.writtenUpTo = offset;
    }
}
