package source;

import java.util.Locale;

/** How new rows are found, with the semantics of the Kafka Connect JDBC source's modes of the same names. */
public enum CaptureMode {
    /** rows whose strictly increasing column is above the offset: sees inserts. */
    INCREMENTING(true, false),
    /** rows whose timestamp is above the offset: sees inserts and updates that set the timestamp. */
    TIMESTAMP(false, true),
    /** ordered by (timestamp, incrementing): updates too, and no ambiguity between rows sharing a timestamp. */
    TIMESTAMP_INCREMENTING(true, true),
    /** the whole table at every poll. */
    BULK(false, false);

    private final boolean usesIncrementing;
    private final boolean usesTimestamp;

    CaptureMode(boolean usesIncrementing, boolean usesTimestamp) {
        this.usesIncrementing = usesIncrementing;
        this.usesTimestamp = usesTimestamp;
    }

    public boolean usesIncrementing() {
        return usesIncrementing;
    }

    public boolean usesTimestamp() {
        return usesTimestamp;
    }

    public static CaptureMode parse(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT).replace('+', '_'));
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '+');
    }
}
