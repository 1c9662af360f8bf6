package record;

/**
 * The Kafka Connect schema types a field can have, with the logical types this pipeline writes
 * (Connect's {@code org.apache.kafka.connect.data.*} names, so any Connect converter reads them).
 */
public enum FieldType {
    INT8("int8", null),
    INT16("int16", null),
    INT32("int32", null),
    INT64("int64", null),
    FLOAT32("float", null),
    FLOAT64("double", null),
    BOOLEAN("boolean", null),
    STRING("string", null),
    BYTES("bytes", null),
    /** int32 days since the epoch. */
    DATE("int32", "org.apache.kafka.connect.data.Date"),
    /** int32 milliseconds since midnight. */
    TIME("int32", "org.apache.kafka.connect.data.Time"),
    /** int64 milliseconds since the epoch, UTC. */
    TIMESTAMP("int64", "org.apache.kafka.connect.data.Timestamp"),
    /** the unscaled value's two's-complement bytes; the scale is a schema parameter. */
    DECIMAL("bytes", "org.apache.kafka.connect.data.Decimal");

    private final String connectType;
    private final String logicalName;

    FieldType(String connectType, String logicalName) {
        this.connectType = connectType;
        this.logicalName = logicalName;
    }

    public String connectType() {
        return connectType;
    }

    /** Whether values are JSON whole numbers: the int types, and Date, Time and Timestamp. */
    public boolean wholeNumber() {
        return switch (this) {
            case INT8, INT16, INT32, INT64, DATE, TIME, TIMESTAMP -> true;
            default -> false;
        };
    }

    /** The Connect logical type name, or null for a plain type. */
    public String logicalName() {
        return logicalName;
    }

    /** Reads a Connect schema's type and logical name back; unknown logical names fall back to their base type. */
    public static FieldType fromConnect(String connectType, String logicalName) {
        if (logicalName != null) {
            for (FieldType type : values()) {
                if (logicalName.equals(type.logicalName)) {
                    return type;
                }
            }
        }
        for (FieldType type : values()) {
            if (type.logicalName == null && type.connectType.equals(connectType)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unsupported Connect schema type '" + connectType + "'");
    }
}
