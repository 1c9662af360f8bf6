package transform;

import java.util.List;

import record.Row;

/**
 * Drops records by a field's value: {@code field} and {@code values} say which records match (the field's value,
 * as text, is one of the values; a null matches the value {@code null}); {@code action} = {@code drop} drops them,
 * as Connect's {@code Filter} drops what its predicate matches, {@code keep} keeps only them. A dropped record is
 * not written, and its offset is committed as if it were.
 */
final class Filter implements RecordTransform {

    private final String field;
    private final List<String> values;
    private final boolean keepMatching;

    Filter(String field, List<String> values, boolean keepMatching) {
        this.field = field;
        this.values = values;
        this.keepMatching = keepMatching;
    }

    @Override
    public Row apply(Row value, Origin origin) {
        Object fieldValue = value.get(field);
        boolean matches = values.contains(fieldValue == null ? "null" : fieldValue.toString());
        return matches == keepMatching ? value : null;
    }
}
