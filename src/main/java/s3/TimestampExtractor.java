package s3;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.ToLongBiFunction;

import record.RecordFormatException;
import record.Row;
import sink.SinkRecord;

/**
 * Where a record's time comes from, for the time-based partitioner and {@code s3.rotate.interval.ms}:
 * the Kafka record's timestamp (Record), a field of its value (RecordField) or the clock when the sink
 * writes it (Wallclock). Only the first two give a record the same time on every replay.
 */
public interface TimestampExtractor {

    /** The record's time in epoch milliseconds; a RecordFormatException if the record has none. */
    long timestamp(SinkRecord record, Row value);

    boolean needsValue();

    /** Whether a replayed record gets the same time it got the first time. */
    boolean deterministic();

    static TimestampExtractor of(String name, String field, LongSupplier clock) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "record" -> new Extractor((record, value) -> {
                if (record.timestamp() < 0) {
                    throw new RecordFormatException("the Kafka record has no timestamp");
                }
                return record.timestamp();
            }, false, true);
            case "recordfield" -> new Extractor((record, value) -> fieldTimestamp(value, field), true, true);
            case "wallclock" -> new Extractor((record, value) -> clock.getAsLong(), false, false);
            default -> throw new IllegalArgumentException("must be Wallclock, Record or RecordField");
        };
    }

    /** An extractor from its function and what it needs and promises. */
    record Extractor(ToLongBiFunction<SinkRecord, Row> time, boolean needsValue, boolean deterministic) implements TimestampExtractor {

        @Override
        public long timestamp(SinkRecord record, Row value) {
            return time.applyAsLong(record, value);
        }
    }

    /**
     * A timestamp field as epoch milliseconds: a Connect Timestamp or Date, a whole number of milliseconds,
     * or ISO-8601 text (with an offset, or taken as UTC without one).
     */
    static long fieldTimestamp(Row value, String field) {
        if (value == null) {
            throw new RecordFormatException("no value to read timestamp field '" + field + "' from");
        }
        Object time = value.get(field);
        if (time == null) {
            throw new RecordFormatException("timestamp field '" + field + "' is missing or null");
        }
        if (time instanceof LocalDateTime dateTime) {
            return dateTime.toInstant(ZoneOffset.UTC).toEpochMilli();
        }
        if (time instanceof LocalDate date) {
            return date.toEpochDay() * 86_400_000L;
        }
        if (time instanceof Long || time instanceof Integer) {
            return ((Number) time).longValue();
        }
        if (time instanceof String text) {
            try {
                return OffsetDateTime.parse(text).toInstant().toEpochMilli();
            } catch (DateTimeParseException withoutOffset) {
                try {
                    return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC).toEpochMilli();
                } catch (DateTimeParseException e) {
                    throw new RecordFormatException("timestamp field '" + field + "' is not an ISO-8601 time: " + text);
                }
            }
        }
        throw new RecordFormatException("timestamp field '" + field + "' is a " + time.getClass().getSimpleName()
                + ", not a timestamp, date, number of milliseconds or ISO-8601 text");
    }
}
