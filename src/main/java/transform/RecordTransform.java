package transform;

import record.Row;

/**
 * One step of a flow's transforms, on a record's value: its schema and payload together, so what the sink builds
 * from the schema (a MySQL table with auto.create, an Avro or Parquet schema) sees the change. Named and behaving as
 * Kafka Connect's single message transform of the same name where there is one.
 */
public interface RecordTransform {

    /** Where the record came from, for transforms that add it ({@link InsertField}). */
    record Origin(String topic, int partition, long offset, long timestamp) {
    }

    /**
     * The value changed, or null to drop the record ({@link Filter}); a {@link TransformException} when it cannot be
     * done for this record (it becomes a dead letter).
     */
    Row apply(Row value, Origin origin);
}
