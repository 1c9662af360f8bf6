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
 * The Java steps of the MySQL sink's routes (routes/mysql-sink.yaml): a polled batch of records becomes
 * groups of rows, each written by the route with camel-sql one statement at a time, all in the batch's one
 * transaction ({@link MySqlTransaction}); tables are created or widened first; a row MySQL refuses is found
 * and dead-lettered.
 * Records that cannot be rows go to the batch's dead letters (exchange property {@link #DEAD_LETTERS})
 * and nothing derived from them is written.
 */
public class MySqlRows {

    /** Exchange property: the batch's {@link DeadLetters}, sent to the dead-letter topic before the offsets are committed. */
    public static final String DEAD_LETTERS = "mysqlDeadLetters";
    /** Exchange property: the {@link Group} being written (the route's split sets it). */
    public static final String GROUP = "mysqlGroup";
    /** Exchange property: the rows MySQL refused in the current attempt at writing the batch ({@link DeadLetters}). */
    static final String REFUSED_ROWS = "mysqlRefusedRows";
    /** Exchange property: how many rows the batch's groups hold. */
    static final String ROWS = "mysqlRows";
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
     * route executes {@code sql} with camel-sql once per element of {@code statements}, each element the
     * parameters of one execution. Inserts and upserts are multi-row statements of about
     * {@link MySqlDialect#VALUES_PER_STATEMENT} values (an element holds several rows); updates and deletes
     * run once per row. When MySQL refuses one of the rows, the route writes the group's {@code rows}
     * one at a time with {@code rowSql} to find it; {@code sources} are the records the rows came from.
     */
    public record Group(RecordMapper.MappedRow shape, String sql, List<List<Object>> statements, String rowSql, List<List<Object>> rows,
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
        DeadLetters deadLetters = new DeadLetters(batch.getContext(), batch.getFromRouteId());
        batch.setProperty(DEAD_LETTERS, deadLetters);
        List<Group> groups = groups(KafkaBatch.remember(batch), deadLetters);
        batch.setProperty(ROWS, groups.stream().mapToInt(Group::size).sum());
        return groups;
    }

    /** Consecutive rows of one table, operation and column set share a statement; bad records go to {@code deadLetters}. */
    List<Group> groups(List<SinkRecord> records, DeadLetters deadLetters) {
        List<Run> runs = new ArrayList<>();
        Run current = null;
        for (SinkRecord record : records) {
            RecordMapper.MappedRow row;
            SinkRecord.Transformed transformed = record.transformed();
            if (transformed != null && transformed.dropped()) {
                continue; // a Filter of the flow's transforms dropped it
            }
            try {
                if (transformed != null && transformed.failure() != null) {
                    throw new RecordFormatException(transformed.failure());
                }
                row = mapper.map(record, ConnectJson.read(record.key()),
                        transformed != null ? transformed.value() : ConnectJson.read(record.value()));
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
        List<List<Object>> statements = new ArrayList<>(rows.size() / perStatement);
        for (int from = 0; from < rows.size(); from += perStatement) {
            List<Object> item = new ArrayList<>(perStatement * rows.get(from).size());
            rows.subList(from, from + perStatement).forEach(item::addAll);
            statements.add(item);
        }
        return new Group(shape, sql(shape, perStatement), statements, rowSql, rows, sources);
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
     * Whether the exception the route is about to catch is MySQL refusing a row (too long, a constraint, a
     * wrong value): then the rows are written one at a time to find it. MySQL itself failing (connection
     * lost, server restarting, a deadlock) is not: the batch is written again and nothing is dead-lettered.
     * The route's doCatch asks through {@code onWhen: ref: mysqlRowRejection}, a predicate that sees the
     * exchange itself (a {@code method:} expression is handed a copy without its exception, and so never
     * matched the first time a group failed).
     */
    public static boolean isRowRejection(Exchange exchange) {
        Throwable caught = exchange.getException();
        for (Throwable cause = caught; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                return !isInfrastructureFailure(sql);
            }
        }
        return false;
    }

    /**
     * Route step, first of each attempt at writing the batch's rows: no row is refused yet. The rows refused
     * by an attempt that then failed (MySQL went away later in the batch) were rolled back with it and are
     * judged again by the next attempt.
     */
    public void startWriting(Exchange exchange) {
        exchange.setProperty(REFUSED_ROWS, new DeadLetters(exchange.getContext(), exchange.getFromRouteId()));
    }

    /**
     * Route step: the row at the split index of the group's one-at-a-time pass was refused by MySQL. It
     * becomes a dead letter, or with errors.tolerance=none the sink halts there and the batch's transaction
     * is rolled back, so none of its rows is written.
     */
    public void rejectRow(Exchange exchange) {
        Group group = exchange.getProperty(GROUP, Group.class);
        int index = exchange.getProperty(Exchange.SPLIT_INDEX, Integer.class);
        Throwable refusal = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        exchange.getProperty(REFUSED_ROWS, DeadLetters.class).reject(group.sources().get(index),
                "MySQL rejected the row: " + sqlMessage(refusal), settings.tolerateBadRecords(), SINK_LABEL);
    }

    /** The rows the batch's transaction committed: every row of its groups but the refused ones. */
    public static int rowsWritten(Exchange exchange) {
        return exchange.getProperty(ROWS, Integer.class) - exchange.getProperty(REFUSED_ROWS, DeadLetters.class).messages().size();
    }

    /** The batch's dead letters, as messages for the dead-letter topic: records that were not rows, then refused rows. */
    public static List<org.apache.camel.Message> deadLetters(Exchange exchange) {
        List<org.apache.camel.Message> messages = new ArrayList<>(exchange.getProperty(DEAD_LETTERS, DeadLetters.class).messages());
        messages.addAll(exchange.getProperty(REFUSED_ROWS, DeadLetters.class).messages());
        return messages;
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
