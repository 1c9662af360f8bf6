package mysql;

import java.util.Locale;

/** Where a row's primary key comes from, as in the Kafka Connect JDBC sink's {@code pk.mode}. */
public enum PrimaryKeyMode {
    /** no key: rows are only inserted. */
    NONE,
    /** the record's coordinates: columns __connect_topic, __connect_partition, __connect_offset. */
    KAFKA,
    /** the fields of the record key (all, or those named in pk.fields). */
    RECORD_KEY,
    /** the value fields named in pk.fields. */
    RECORD_VALUE;

    public static PrimaryKeyMode parse(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
