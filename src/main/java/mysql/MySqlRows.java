package mysql;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.apache.camel.Exchange;
import record.ConnectJson;
import record.Field;
import record.RecordFormatException;
import sink.DeadLetters;
import sink.KafkaBatch;
import sink.SinkRecord;

/**
 * The Java steps of the MySQL sink's route (routes/mysql-sink.yaml): a polled batch of records becomes
 * groups of rows, each written by the route with camel-sql as one JDBC batch in one transaction; tables
 * are created or widened first; a row MySQL refuses is found and dead-lettered.
 * Records that cannot be rows go to the batch's dead letters (exchange property {@link #DEAD_LETTERS})
 * and nothing derived from them is written.
 */
public class MySqlRows {

    /** Exchange property: the batch's {@link DeadLetters}, sent to the dead-letter topic before the offsets are committed. */
    public static final String DEAD_LETTERS = "mysqlDeadLetters";
    /** Exchange property: the {@link Group} being written (the route's split sets it). */
    public static final String GROUP = "mysqlGroup";
    private static final String SINK_NAME = "mysql-sink";
    private static final String SINK_LABEL = "MySQL sink";
    // bound as text: Connector/J drops the milliseconds of temporal parameters when it believes MariaDB is MySQL 5.5
    private static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final DataSource dataSource;
    private final MySqlSinkSettings settings;
    private final RecordMapper mapper;
    private final MySqlTables tables;

    public MySqlRows(DataSource dataSource, MySqlSinkSettings settings) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.mapper = new RecordMapper(settings);
        this.tables = new MySqlTables(settings.autoCreate(), settings.autoEvolve());
    }

    /**
     * Consecutive rows of one table, operation and column set, written with one statement text: the
     * route hands {@code items} to camel-sql as one JDBC batch in one transaction (each item the parameters
     * of one execution of {@code sql}). Inserts and upserts are multi-row statements of about
     * {@link MySqlDialect#VALUES_PER_STATEMENT} values (an item holds several rows); updates and deletes
     * run once per row. When MySQL refuses one of the rows, the route writes the group's {@code rows}
     * one at a time with {@code rowSql} to find it; {@code sources} are the records the rows came from.
     */
    public record Group(RecordMapper.MappedRow shape, String sql, List<List<Object>> items, String rowSql, List<List<Object>> rows,
                        List<SinkRecord> sources) {

        public int size() {
            return rows.size();
        }

        // a group is itself, not its contents: Camel keeps the group it splits in a hash map, and a record's
        // own hashCode walked every value of every row (JFR: 14 % of the sink's samples)
        @Override
        public boolean equals(Object other) {
            return this == other;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    /** Rows of one shape as they are mapped, before they are cut into groups. */
    private record Run(RecordMapper.MappedRow shape, List<List<Object>> rows, List<SinkRecord> sources) {

        boolean accepts(RecordMapper.MappedRow row) {
            return shape.table().equals(row.table()) && shape.operation() == row.operation()
                    && shape.schema().equals(row.schema()) && shape.keyColumns().equals(row.keyColumns());
        }
    }

    /** Step 1: the polled batch as groups of rows to write; records that cannot be rows become dead letters. */
    public List<Group> fromBatch(Exchange batch) {
        DeadLetters deadLetters = new DeadLetters(batch.getContext(), SINK_NAME);
        batch.setProperty(DEAD_LETTERS, deadLetters);
        return groups(KafkaBatch.remember(batch), deadLetters);
    }

    /** Consecutive rows of one table, operation and column set share a statement; bad records go to {@code deadLetters}. */
    List<Group> groups(List<SinkRecord> records, DeadLetters deadLetters) {
        List<Run> runs = new ArrayList<>();
        Run current = null;
        for (SinkRecord record : records) {
            RecordMapper.MappedRow row;
            try {
                row = mapper.map(record, ConnectJson.read(record.key()), ConnectJson.read(record.value()));
            } catch (RecordFormatException e) {
                deadLetters.reject(record, e.getMessage(), settings.tolerateBadRecords(), SINK_LABEL);
                continue;
            }
            if (row == null) {
                continue; // a tombstone with deletes off changes nothing
            }
            if (current == null || !current.accepts(row)) {
                current = new Run(row, new ArrayList<>(), new ArrayList<>());
                runs.add(current);
            }
            current.rows().add(parameters(row));
            current.sources().add(record);
        }
        List<Group> groups = new ArrayList<>();
        runs.forEach(run -> cut(run, groups));
        return groups;
    }

    /**
     * A run of inserts or upserts becomes multi-row statements of {@link MySqlDialect#maxRowsPerStatement}
     * rows: the full ones share a statement text and so one group; the rest, if any, is a group of its own.
     */
    private void cut(Run run, List<Group> groups) {
        RecordMapper.MappedRow shape = run.shape();
        String rowSql = sql(shape, 1);
        boolean multiRow = shape.operation() == RecordMapper.Operation.WRITE && settings.insertMode() != InsertMode.UPDATE;
        if (!multiRow) {
            groups.add(new Group(shape, rowSql, run.rows(), rowSql, run.rows(), run.sources()));
            return;
        }
        int perStatement = MySqlDialect.maxRowsPerStatement(shape.schema().fields().size(), settings.batchSize());
        int full = run.rows().size() / perStatement * perStatement;
        if (full > 0) {
            groups.add(group(shape, run.rows().subList(0, full), run.sources().subList(0, full), perStatement, rowSql));
        }
        if (full < run.rows().size()) {
            groups.add(group(shape, run.rows().subList(full, run.rows().size()), run.sources().subList(full, run.sources().size()),
                    run.rows().size() - full, rowSql));
        }
    }

    private Group group(RecordMapper.MappedRow shape, List<List<Object>> rows, List<SinkRecord> sources, int perStatement, String rowSql) {
        List<List<Object>> items = new ArrayList<>(rows.size() / perStatement);
        for (int from = 0; from < rows.size(); from += perStatement) {
            List<Object> item = new ArrayList<>(perStatement * rows.get(from).size());
            rows.subList(from, from + perStatement).forEach(item::addAll);
            items.add(item);
        }
        return new Group(shape, sql(shape, perStatement), items, rowSql, rows, sources);
    }

    /** Step 2: tables created or widened (auto.create, auto.evolve) before any row is written: MySQL commits around DDL. */
    public void prepareTables(List<Group> groups) throws SQLException {
        if (groups.stream().noneMatch(group -> group.shape().operation() == RecordMapper.Operation.WRITE)) {
            return;
        }
        try (Connection connection = dataSource.getConnection()) {
            for (Group group : groups) {
                if (group.shape().operation() == RecordMapper.Operation.WRITE) {
                    tables.prepare(connection, group.shape());
                }
            }
        }
    }

    /**
     * Whether the exception the route caught is MySQL refusing a row (too long, a constraint, a wrong value):
     * then the rows are written one at a time to find it. MySQL itself failing (connection lost, server
     * restarting, a deadlock) is not: the batch is tried again and nothing is dead-lettered.
     */
    public static boolean isRowRejection(Exchange exchange) {
        // while doCatch decides, the exception is still the exchange's own; EXCEPTION_CAUGHT may hold an older
        // one (the group's rejection, copied into every row of the one-at-a-time pass)
        Throwable caught = exchange.getException();
        if (caught == null) {
            caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        }
        for (Throwable cause = caught; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                return !isInfrastructureFailure(sql);
            }
        }
        return false;
    }

    /**
     * With errors.tolerance=none, finds the row MySQL refused without writing any: the group's rows are
     * written one at a time in one transaction that is rolled back, and the sink halts at the refused
     * one. The one-at-a-time pass of the route would commit the rows before it, and a restart would then
     * meet them again (an insert into a keyed table would stop at the first of them instead). With
     * errors.tolerance=all this does nothing and the route's pass writes the good rows.
     */
    public void haltAtRefusedRowIfIntolerant(Exchange exchange) throws SQLException {
        if (settings.tolerateBadRecords()) {
            return;
        }
        Group group = exchange.getProperty(GROUP, Group.class);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                for (int i = 0; i < group.size(); i++) {
                    try (java.sql.PreparedStatement statement = connection.prepareStatement(group.rowSql())) {
                        int parameter = 1;
                        for (Object value : group.rows().get(i)) {
                            MySqlParameters.bind(statement, parameter++, value);
                        }
                        statement.executeUpdate();
                    } catch (SQLException e) {
                        if (isInfrastructureFailure(e)) {
                            throw e;
                        }
                        refuse(exchange, group.sources().get(i), e);
                    }
                }
            } finally {
                connection.rollback();
            }
        }
    }

    /** The row at the route's split index was refused by MySQL: it becomes a dead letter (or halts the sink). */
    public void rejectRow(Exchange exchange) {
        Group group = exchange.getProperty(GROUP, Group.class);
        int index = exchange.getProperty(Exchange.SPLIT_INDEX, Integer.class);
        refuse(exchange, group.sources().get(index), exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
    }

    /** A row MySQL refused: a dead letter, or with errors.tolerance=none the sink halts there. */
    private void refuse(Exchange exchange, SinkRecord record, Throwable refusal) {
        exchange.getProperty(DEAD_LETTERS, DeadLetters.class)
                .reject(record, "MySQL rejected the row: " + sqlMessage(refusal), settings.tolerateBadRecords(), SINK_LABEL);
    }

    /** The batch's dead letters, as messages for the dead-letter topic. */
    public static List<org.apache.camel.Message> deadLetters(Exchange exchange) {
        return exchange.getProperty(DEAD_LETTERS, DeadLetters.class).messages();
    }

    private String sql(RecordMapper.MappedRow row, int rows) {
        List<String> columns = row.schema().fields().stream().map(Field::name).toList();
        if (row.operation() == RecordMapper.Operation.DELETE) {
            return MySqlDialect.delete(row.table(), row.keyColumns());
        }
        if (settings.insertMode() == InsertMode.UPDATE) {
            return MySqlDialect.update(row.table(), columns, row.keyColumns());
        }
        return settings.insertMode() == InsertMode.UPSERT && !row.keyColumns().isEmpty()
                ? MySqlDialect.upsert(row.table(), columns, row.keyColumns(), rows)
                : MySqlDialect.insert(row.table(), columns, rows);
    }

    /** A row's values in its statement's parameter order, each as it is bound. */
    private List<Object> parameters(RecordMapper.MappedRow row) {
        Map<String, Object> values = row.values();
        List<Object> parameters = new ArrayList<>(values.size());
        if (row.operation() == RecordMapper.Operation.DELETE) {
            row.keyColumns().forEach(column -> parameters.add(bindable(values.get(column))));
        } else if (settings.insertMode() == InsertMode.UPDATE) {
            values.forEach((column, value) -> {
                if (!row.keyColumns().contains(column)) {
                    parameters.add(bindable(value));
                }
            });
            row.keyColumns().forEach(column -> parameters.add(bindable(values.get(column))));
        } else {
            // a mapped row's values are in its schema's column order, the statement's
            values.values().forEach(value -> parameters.add(bindable(value)));
        }
        return parameters;
    }

    static Object bindable(Object value) {
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float number) {
            return number.doubleValue();
        }
        if (value instanceof LocalDateTime timestamp) {
            return DATETIME.format(timestamp);
        }
        if (value instanceof LocalDate date) {
            return date.toString();
        }
        if (value instanceof LocalTime time) {
            return TIME.format(time);
        }
        if (value == null || value instanceof Long || value instanceof Double || value instanceof Boolean
                || value instanceof String || value instanceof byte[] || value instanceof BigDecimal) {
            return value;
        }
        throw new IllegalArgumentException("cannot bind a " + value.getClass().getName());
    }

    /** MySQL itself failing (as opposed to rejecting one row): retried, never dead-lettered. */
    static boolean isInfrastructureFailure(SQLException e) {
        String state = e.getSQLState();
        return e instanceof SQLTransientException || e instanceof SQLRecoverableException
                || e instanceof SQLNonTransientConnectionException
                || (state != null && (state.startsWith("08") || state.startsWith("40") || state.equals("HYT00")));
    }

    private static String sqlMessage(Throwable caught) {
        for (Throwable cause = caught; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException) {
                return cause.getMessage();
            }
        }
        return caught == null ? "unknown" : caught.getMessage();
    }
}
