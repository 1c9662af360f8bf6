package s3;

import java.math.BigDecimal;
import java.util.List;
import java.util.StringJoiner;

import record.RecordFormatException;
import record.Row;
import sink.SinkRecord;

/**
 * One folder per value of one or more fields of the record's value, {@code <field>=<value>} joined by
 * slashes, as Connect's FieldPartitioner does. A slash inside a value is written {@code %2F} so that it
 * cannot add a folder level.
 */
public final class FieldPartitioner implements Partitioner {

    private final List<String> fields;

    public FieldPartitioner(List<String> fields) {
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("must name at least one field");
        }
        this.fields = List.copyOf(fields);
    }

    @Override
    public String encodedPartition(SinkRecord record, Row value) {
        if (value == null) {
            throw new RecordFormatException("no value to read partition field '" + fields.get(0) + "' from");
        }
        StringJoiner folder = new StringJoiner("/");
        for (String field : fields) {
            if (value.schema().field(field) == null) {
                throw new RecordFormatException("partition field '" + field + "' is not in the record");
            }
            Object fieldValue = value.get(field);
            if (fieldValue == null) {
                throw new RecordFormatException("partition field '" + field + "' is null");
            }
            if (!(fieldValue instanceof String || fieldValue instanceof Number || fieldValue instanceof Boolean)) {
                throw new RecordFormatException("partition field '" + field + "' is a " + fieldValue.getClass().getSimpleName()
                        + "; only text, numbers and booleans name folders");
            }
            String text = fieldValue instanceof BigDecimal decimal ? decimal.toPlainString() : fieldValue.toString();
            folder.add(field + "=" + text.replace("/", "%2F"));
        }
        return folder.toString();
    }

    @Override
    public boolean needsValue() {
        return true;
    }

    @Override
    public boolean deterministic() {
        return true;
    }
}
