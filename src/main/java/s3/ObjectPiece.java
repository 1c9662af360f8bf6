package s3;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.TopicPartition;
import record.Row;
import sink.SinkRecord;

/**
 * Consecutive records of one Kafka partition that go to one folder and into one object: the unit the S3
 * route's aggregator adds to an object. {@link S3Batches#cut} cuts a batch into pieces where an object
 * must end (s3.flush.size reached, s3.rotate.interval.ms passed, another schema) and marks the piece that
 * ends one, so the aggregator never has to split a piece, and Camel handles a few pieces per batch
 * instead of every record. A piece may be empty: it only ends the object a previous batch left open.
 */
public final class ObjectPiece {

    /** A record with what the sink read from it: its value (null when the format and partitioner need none) and its time. */
    public record Entry(SinkRecord record, Row value, long time) {
    }

    private final String group;
    private final TopicPartition partition;
    private final String folder;
    private boolean endsObject;
    private final List<Entry> entries = new ArrayList<>();
    private long writtenUpTo;

    ObjectPiece(String group, TopicPartition partition, String folder) {
        this.group = group;
        this.partition = partition;
        this.folder = folder;
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

    /** Whether the object is complete with this piece: the group's next record starts another one. */
    public boolean endsObject() {
        return endsObject;
    }

    void endObject() {
        this.endsObject = true;
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The offset of its first record (none for a piece that only ends an object). */
    long firstOffset() {
        return entries.isEmpty() ? Long.MAX_VALUE : entries.get(0).record().offset();
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
