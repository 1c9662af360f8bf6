package mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import record.ConnectJson;
import record.Field;
import record.FieldType;
import record.RecordSchema;
import record.Row;
import sink.DeadLetters;
import sink.SinkHaltException;
import sink.SinkRecord;

/** The MySQL route's Java steps without a database: statements, parameters and what counts as a refused row. */
class MySqlRowsTest {

    private static final CamelContext CAMEL = new DefaultCamelContext();
    private static final RecordSchema KEY = new RecordSchema("USERS.Key", List.of(Field.of("index", FieldType.INT64, false)));
    private static final RecordSchema VALUE = new RecordSchema("USERS", List.of(Field.of("index", FieldType.INT64, false),
            Field.of("name", FieldType.STRING, true), Field.of("age", FieldType.INT32, true), Field.of("seen", FieldType.TIMESTAMP, false)));
    private static final RecordSchema WIDER = new RecordSchema("USERS", List.of(Field.of("index", FieldType.INT64, false),
            Field.of("name", FieldType.STRING, true), Field.of("age", FieldType.INT32, true), Field.of("seen", FieldType.TIMESTAMP, false),
            Field.of("mail", FieldType.STRING, true)));
    private static final ConnectJson JSON = new ConnectJson(true);

    private static SinkRecord record(long offset, RecordSchema schema, String name) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("index", offset);
        values.put("name", name);
        values.put("age", 40);
        values.put("seen", LocalDateTime.of(2026, 11, 27, 10, 0, 0, 123_000_000));
        if (schema == WIDER) {
            values.put("mail", "x@example.com");
        }
        return SinkRecord.of("P_USERS", 0, offset, 0, JSON.write(new Row(KEY, Map.of("index", offset))), JSON.write(new Row(schema, values)));
    }

    private static MySqlRows rows(InsertMode mode, boolean tolerate, boolean deletes) {
        return new MySqlRows(null, new MySqlSinkSettings("${topic}", mode, PrimaryKeyMode.RECORD_KEY, List.of(), true, true, deletes,
                List.of(), List.of(), 100, tolerate));
    }

    @Test
    void consecutiveRowsOfOneShapeShareAStatementAndBadRecordsBecomeDeadLetters() {
        DeadLetters deadLetters = new DeadLetters(CAMEL, "mysql-sink");
        List<SinkRecord> batch = List.of(record(0, VALUE, "Ann"), SinkRecord.of("P_USERS", 0, 1, 0, "{}", "not json"),
                record(2, VALUE, null), record(3, WIDER, "Cy"), record(4, VALUE, "Di"));
        List<MySqlRows.Group> groups = rows(InsertMode.UPSERT, true, false).groups(batch, deadLetters);

        assertThat(groups).extracting(MySqlRows.Group::size).containsExactly(2, 1, 1);
        assertThat(groups.get(0).sources()).extracting(SinkRecord::offset).containsExactly(0L, 2L);
        assertThat(groups.get(0).sql()).isEqualTo(MySqlDialect.upsert("P_USERS", List.of("index", "name", "age", "seen"), List.of("index"), 2));
        assertThat(groups.get(0).rowSql()).isEqualTo(MySqlDialect.upsert("P_USERS", List.of("index", "name", "age", "seen"), List.of("index"), 1));
        // bound as MySQL takes them: whole numbers as longs, timestamps as text with their milliseconds
        assertThat(groups.get(0).rows().get(0)).containsExactly(0L, "Ann", 40L, "2026-11-27 10:00:00.123");
        assertThat(groups.get(0).rows().get(1)).containsExactly(2L, null, 40L, "2026-11-27 10:00:00.123");
        // one two-row statement: the two rows' values in one item
        assertThat(groups.get(0).statements()).hasSize(1);
        assertThat(groups.get(0).statements().get(0)).hasSize(8).startsWith(0L, "Ann").endsWith(40L, "2026-11-27 10:00:00.123");
        assertThat(deadLetters.messages()).hasSize(1);
        assertThat(deadLetters.messages().get(0).getHeader(DeadLetters.ERROR_OFFSET)).isEqualTo("1");
        assertThat((byte[]) deadLetters.messages().get(0).getBody()).isEqualTo("not json".getBytes());
    }

    @Test
    void insertsAreCutIntoStatementsOfAbout2400ValuesTheFullOnesInOneGroup() {
        List<SinkRecord> batch = new java.util.ArrayList<>();
        for (long offset = 0; offset < 1_300; offset++) {
            batch.add(record(offset, VALUE, "n" + offset));
        }
        List<MySqlRows.Group> groups = rows(InsertMode.INSERT, true, false).groups(batch, new DeadLetters(CAMEL, "mysql-sink"));
        int perStatement = MySqlDialect.maxRowsPerStatement(4, 100); // 4 columns, mysql.batch.size 100 in these settings
        assertThat(perStatement).isEqualTo(100);
        assertThat(groups).hasSize(1);
        assertThat(groups.get(0).statements()).hasSize(13).allSatisfy(item -> assertThat(item).hasSize(400));
        assertThat(groups.get(0).sql()).isEqualTo(MySqlDialect.insert("P_USERS", List.of("index", "name", "age", "seen"), 100));

        List<MySqlRows.Group> uneven = rows(InsertMode.INSERT, true, false).groups(batch.subList(0, 250), new DeadLetters(CAMEL, "mysql-sink"));
        assertThat(uneven).extracting(MySqlRows.Group::size).containsExactly(200, 50);
        assertThat(uneven.get(1).sql()).isEqualTo(MySqlDialect.insert("P_USERS", List.of("index", "name", "age", "seen"), 50));
        assertThat(uneven.get(1).sources().get(0).offset()).isEqualTo(200L);
    }

    @Test
    void updateBindsTheKeyLastAndTombstonesDeleteByKey() {
        MySqlRows.Group update = rows(InsertMode.UPDATE, true, false)
                .groups(List.of(record(7, VALUE, "Ann")), new DeadLetters(CAMEL, "mysql-sink")).get(0);
        assertThat(update.sql()).isEqualTo(MySqlDialect.update("P_USERS", List.of("index", "name", "age", "seen"), List.of("index")));
        assertThat(update.statements()).isEqualTo(update.rows());
        assertThat(update.rows().get(0)).containsExactly("Ann", 40L, "2026-11-27 10:00:00.123", 7L);

        SinkRecord tombstone = SinkRecord.of("P_USERS", 0, 8, 0, JSON.write(new Row(KEY, Map.of("index", 8L))), null);
        MySqlRows.Group delete = rows(InsertMode.UPSERT, true, true).groups(List.of(tombstone), new DeadLetters(CAMEL, "mysql-sink")).get(0);
        assertThat(delete.sql()).isEqualTo(MySqlDialect.delete("P_USERS", List.of("index")));
        assertThat(delete.rows().get(0)).containsExactly(8L);
        assertThat(rows(InsertMode.UPSERT, true, false).groups(List.of(tombstone), new DeadLetters(CAMEL, "mysql-sink"))).isEmpty();
    }

    @Test
    void withErrorsToleranceNoneABadRecordHaltsInsteadOfBecomingADeadLetter() {
        assertThatThrownBy(() -> rows(InsertMode.UPSERT, false, false)
                .groups(List.of(SinkRecord.of("P_USERS", 0, 5, 0, "{}", "not json")), new DeadLetters(CAMEL, "mysql-sink")))
                .isInstanceOf(SinkHaltException.class).hasMessageContaining("P_USERS-0@5");
    }

    @Test
    void aRowMySqlRefusesIsARejectionAndMySqlFailingIsNot() {
        assertThat(caught(new RuntimeException("wrapped", new SQLException("Data too long for column 'name'", "22001")))).isTrue();
        assertThat(caught(new SQLException("Duplicate entry", "23000"))).isTrue();
        assertThat(caught(new RuntimeException(new SQLTransientConnectionException("connection refused", "08001")))).isFalse();
        assertThat(caught(new SQLException("Deadlock found", "40001"))).isFalse();
        assertThat(caught(new IllegalStateException("not SQL at all"))).isFalse();
    }

    @Test
    void theExceptionBeingCaughtDecidesNotAnOlderOne() {
        Exchange exchange = new DefaultExchange(CAMEL);
        // the group's rejection, copied into a row of the one-at-a-time pass, then MySQL goes away
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new SQLException("Data too long for column 'name'", "22001"));
        exchange.setException(new RuntimeException(new SQLTransientConnectionException("Communications link failure", "08S01")));
        assertThat(MySqlRows.isRowRejection(exchange)).isFalse();
        exchange.setException(new SQLException("Duplicate entry", "23000"));
        assertThat(MySqlRows.isRowRejection(exchange)).isTrue();
        exchange.setException(null);
        assertThat(MySqlRows.isRowRejection(exchange)).as("an older rejection alone").isFalse();
    }

    private static boolean caught(Exception e) {
        Exchange exchange = new DefaultExchange(CAMEL);
        exchange.setException(e);
        return MySqlRows.isRowRejection(exchange);
    }
}
