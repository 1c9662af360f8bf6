package s3;

import java.util.List;

import record.Row;
import sink.SinkRecord;

/**
 * Chooses the folder (Connect's "encoded partition") of the object a record goes into, below the
 * topic's folder: {@code partition=0}, {@code country=FR}, {@code year=2026/month=11/day=25/hour=14}.
 */
public interface Partitioner {

    /** The record's folder; a RecordFormatException (the record goes to the dead-letter topic) if it has none. */
    String encodedPartition(SinkRecord record, Row value);

    /** Whether the record's value must be parsed to choose its folder. */
    boolean needsValue();

    /** Whether a replayed record lands in the folder it landed in the first time. */
    boolean deterministic();

    /**
     * For a partitioner that is not deterministic: every folder it may have used between two times, which
     * is where a crashed run may have left objects.
     */
    default List<String> foldersBetween(long fromMillis, long toMillis) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " is deterministic");
    }
}
