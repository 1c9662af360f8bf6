package s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import record.Field;
import record.FieldType;
import record.RecordFormatException;
import record.RecordSchema;
import record.Row;
import sink.SinkRecord;

class PartitionersTest {

    private static final String HOURLY = "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH";
    private static final TimestampExtractor RECORD_TIME = TimestampExtractor.of("record", "", () -> 0);

    private static SinkRecord recordAt(long timestamp) {
        return SinkRecord.of("P_USERS", 3, 42, timestamp, null, "{}");
    }

    private static Row user(String country, Object createdAt) {
        RecordSchema schema = new RecordSchema("users", List.of(Field.of("country", FieldType.STRING, true),
                Field.of("created", FieldType.TIMESTAMP, true), Field.of("age", FieldType.INT32, true)));
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("country", country);
        values.put("created", createdAt);
        values.put("age", 41);
        return new Row(schema, values);
    }

    private static long millis(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    void defaultPartitionerUsesTheKafkaPartition() {
        assertThat(new DefaultPartitioner().encodedPartition(recordAt(0), null)).isEqualTo("partition=3");
    }

    @Test
    void fieldPartitionerNamesFoldersByFieldValues() {
        FieldPartitioner byCountry = new FieldPartitioner(List.of("country"));
        assertThat(byCountry.encodedPartition(recordAt(0), user("FR", null))).isEqualTo("country=FR");
        assertThat(new FieldPartitioner(List.of("country", "age")).encodedPartition(recordAt(0), user("DE", null)))
                .isEqualTo("country=DE/age=41");
        // a slash in a value must not add a folder level
        assertThat(byCountry.encodedPartition(recordAt(0), user("a/b", null))).isEqualTo("country=a%2Fb");
    }

    @Test
    void fieldPartitionerRejectsRecordsWithoutTheField() {
        FieldPartitioner byCountry = new FieldPartitioner(List.of("country"));
        assertThatThrownBy(() -> byCountry.encodedPartition(recordAt(0), user(null, null)))
                .isInstanceOf(RecordFormatException.class).hasMessageContaining("'country' is null");
        assertThatThrownBy(() -> new FieldPartitioner(List.of("city")).encodedPartition(recordAt(0), user("FR", null)))
                .isInstanceOf(RecordFormatException.class).hasMessageContaining("'city' is not in the record");
        assertThatThrownBy(() -> new FieldPartitioner(List.of("created")).encodedPartition(recordAt(0), user("FR", LocalDateTime.now())))
                .isInstanceOf(RecordFormatException.class).hasMessageContaining("only text, numbers and booleans");
    }

    @Test
    void timePartitionerRoundsDownToItsPeriodAndFormatsLikeConnect() {
        TimeBasedPartitioner hourly = new TimeBasedPartitioner(HOURLY, 3_600_000, ZoneId.of("UTC"), Locale.ENGLISH, RECORD_TIME);
        assertThat(hourly.encodedPartition(recordAt(millis("2026-11-25T14:59:59.999Z")), null))
                .isEqualTo("year=2026/month=11/day=25/hour=14");
        // YYYY is the calendar year, as in Joda-Time (java.time's YYYY would say 2025 for this day)
        assertThat(hourly.encodedPartition(recordAt(millis("2024-12-30T10:00:00Z")), null))
                .isEqualTo("year=2024/month=12/day=30/hour=10");
    }

    @Test
    void timePartitionerCountsDaysInItsTimeZone() {
        TimeBasedPartitioner daily = new TimeBasedPartitioner("'dt'=YYYY-MM-dd", 86_400_000, ZoneId.of("Europe/Paris"), Locale.ENGLISH, RECORD_TIME);
        // 23:30 UTC is already the next day in Paris (UTC+1 in November)
        assertThat(daily.encodedPartition(recordAt(millis("2026-11-25T23:30:00Z")), null)).isEqualTo("dt=2026-11-26");
        assertThat(daily.encodedPartition(recordAt(millis("2026-11-25T22:59:59Z")), null)).isEqualTo("dt=2026-11-25");
    }

    @Test
    void timePartitionerCanReadTheTimeFromAField() {
        TimestampExtractor created = TimestampExtractor.of("RecordField", "created", () -> 0);
        TimeBasedPartitioner hourly = new TimeBasedPartitioner(HOURLY, 3_600_000, ZoneId.of("UTC"), Locale.ENGLISH, created);
        assertThat(hourly.encodedPartition(recordAt(0), user("FR", LocalDateTime.parse("2026-01-02T03:04:05"))))
                .isEqualTo("year=2026/month=01/day=02/hour=03");
        assertThat(TimestampExtractor.fieldTimestamp(new Row(new RecordSchema(null, List.of(Field.of("t", FieldType.STRING, true))),
                Map.of("t", "2026-01-02T03:04:05+01:00")), "t")).isEqualTo(millis("2026-01-02T02:04:05Z"));
        assertThatThrownBy(() -> hourly.encodedPartition(recordAt(0), user("FR", null)))
                .isInstanceOf(RecordFormatException.class).hasMessageContaining("'created' is missing or null");
    }

    @Test
    void wallclockPartitioningListsEveryFolderARunMayHaveUsed() {
        TimestampExtractor wallclock = TimestampExtractor.of("Wallclock", "", () -> 0);
        TimeBasedPartitioner hourly = new TimeBasedPartitioner(HOURLY, 3_600_000, ZoneId.of("UTC"), Locale.ENGLISH, wallclock);
        assertThat(hourly.deterministic()).isFalse();
        assertThat(hourly.foldersBetween(millis("2026-11-25T22:10:00Z"), millis("2026-11-26T00:05:00Z"))).containsExactly(
                "year=2026/month=11/day=25/hour=22", "year=2026/month=11/day=25/hour=23", "year=2026/month=11/day=26/hour=00");
    }
}
