package mysql;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import progress.PipelineProgress;
import record.ConnectJson;
import record.Field;
import record.RecordFormatException;
import record.RecordSchema;
import record.Row;
import sink.DeadLetters;
import sink.KafkaBatch;
import sink.SinkRecord;

/**
 * Writes a batch of records into MySQL in one transaction. A record that cannot be read or that MySQL
 * rejects (wrong type, too long, constraint) becomes a dead letter and the rest of the batch is still
 * written; a failure of MySQL itself (connection lost, server restarting) is thrown so that nothing of
 * the batch is committed to Kafka and the batch is read again.
 */
public class MySqlSinkWriter implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(MySqlSinkWriter.class);
    private static final String SINK_NAME = "mysql-sink";
    // bound as text: Connector/J drops the milliseconds of temporal parameters when it believes MariaDB is MySQL 5.5
    private static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final DataSource dataSource;
    private final String tableNameFormat;
    private final InsertMode insertMode;
    private final boolean autoCreate;
    private final int batchSize;
    private final boolean tolerateBadRecords;
    private final PipelineProgress progress;
    private final Set<String> knownTables = ConcurrentHashMap.newKeySet();

    public MySqlSinkWriter(DataSource dataSource, String tableNameFormat, InsertMode insertMode, boolean autoCreate,
                           int batchSize, boolean tolerateBadRecords, PipelineProgress progress) {
        this.dataSource = dataSource;
        this.tableNameFormat = tableNameFormat;
        this.insertMode = insertMode;
        this.autoCreate = autoCreate;
        this.batchSize = batchSize;
        this.tolerateBadRecords = tolerateBadRecords;
        this.progress = progress;
    }

    /** A run of consecutive records for one table with one schema: written with the same statement. */
    private record Run(String table, RecordSchema schema, List<String> keyColumns, List<SinkRecord> sources, List<Row> rows) {
    }

    /** Writes the polled batch; the body becomes the dead letters to publish before the offsets are committed. */
    @Override
    public void process(Exchange exchange) throws SQLException {
        DeadLetters deadLetters = new DeadLetters(exchange.getContext(), SINK_NAME);
        write(KafkaBatch.remember(exchange), deadLetters);
        exchange.getMessage().setBody(deadLetters.messages());
    }

    public void write(List<SinkRecord> records, DeadLetters deadLetters) throws SQLException {
        List<Run> runs = decode(records, deadLetters);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                int written = 0;
                for (Run run : runs) {
                    ensureTable(connection, run);
                    written += writeRun(connection, run, deadLetters);
                }
                connection.commit();
                progress.add("mysql rows", written);
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection);
                throw e;
            }
        }
    }

    private List<Run> decode(List<SinkRecord> records, DeadLetters deadLetters) {
        List<Run> runs = new ArrayList<>();
        Run current = null;
        for (SinkRecord record : records) {
            Row value;
            Row key;
            try {
                value = ConnectJson.read(record.value());
                key = ConnectJson.read(record.key());
            } catch (RecordFormatException e) {
                reject(deadLetters, record, e.getMessage());
                continue;
            }
            if (value == null) {
                // a tombstone: deleting rows is not enabled, so there is nothing to write
                continue;
            }
            String table = tableNameFormat.replace("${topic}", record.topic());
            List<String> keyColumns = insertMode == InsertMode.UPSERT && key != null
                    ? key.schema().fields().stream().map(Field::name).toList()
                    : List.of();
            if (current == null || !current.table().equals(table) || !current.schema().equals(value.schema())
                    || !current.keyColumns().equals(keyColumns)) {
                current = new Run(table, value.schema(), keyColumns, new ArrayList<>(), new ArrayList<>());
                runs.add(current);
            }
            current.sources().add(record);
            current.rows().add(value);
        }
        return runs;
    }

    private void ensureTable(Connection connection, Run run) throws SQLException {
        if (!autoCreate || knownTables.contains(run.table())) {
            return;
        }
        String ddl = MySqlDialect.createTable(run.table(), run.schema(), run.keyColumns());
        try (Statement statement = connection.createStatement()) {
            statement.execute(ddl);
        }
        knownTables.add(run.table());
        LOG.info("MySQL table {} ready (created from the record schema if it was missing)", run.table());
    }

    private int writeRun(Connection connection, Run run, DeadLetters deadLetters) throws SQLException {
        List<String> columns = run.schema().fields().stream().map(Field::name).toList();
        int perStatement = MySqlDialect.maxRowsPerStatement(columns.size(), batchSize);
        int written = 0;
        for (int from = 0; from < run.rows().size(); from += perStatement) {
            int to = Math.min(from + perStatement, run.rows().size());
            try {
                execute(connection, run, columns, from, to);
                written += to - from;
            } catch (SQLException e) {
                if (isInfrastructureFailure(e)) {
                    throw e;
                }
                // one bad row fails the whole statement: write this chunk row by row to find it
                written += writeOneByOne(connection, run, columns, from, to, deadLetters);
            }
        }
        return written;
    }

    private int writeOneByOne(Connection connection, Run run, List<String> columns, int from, int to,
                              DeadLetters deadLetters) throws SQLException {
        int written = 0;
        for (int i = from; i < to; i++) {
            try {
                execute(connection, run, columns, i, i + 1);
                written++;
            } catch (SQLException e) {
                if (isInfrastructureFailure(e)) {
                    throw e;
                }
                reject(deadLetters, run.sources().get(i), "MySQL rejected the row: " + e.getMessage());
            }
        }
        return written;
    }

    private void execute(Connection connection, Run run, List<String> columns, int from, int to) throws SQLException {
        int rows = to - from;
        String sql = insertMode == InsertMode.UPSERT && !run.keyColumns().isEmpty()
                ? MySqlDialect.upsert(run.table(), columns, run.keyColumns(), rows)
                : MySqlDialect.insert(run.table(), columns, rows);
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            int parameter = 1;
            for (int i = from; i < to; i++) {
                Row row = run.rows().get(i);
                for (Field field : run.schema().fields()) {
                    bind(statement, parameter++, row.get(field.name()));
                }
            }
            statement.executeUpdate();
        }
    }

    static void bind(PreparedStatement statement, int index, Object value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.NULL);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            statement.setLong(index, ((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
            statement.setDouble(index, ((Number) value).doubleValue());
        } else if (value instanceof Boolean bool) {
            statement.setBoolean(index, bool);
        } else if (value instanceof String text) {
            statement.setString(index, text);
        } else if (value instanceof byte[] bytes) {
            statement.setBytes(index, bytes);
        } else if (value instanceof BigDecimal decimal) {
            statement.setBigDecimal(index, decimal);
        } else if (value instanceof LocalDateTime timestamp) {
            statement.setString(index, DATETIME.format(timestamp));
        } else if (value instanceof LocalDate date) {
            statement.setString(index, date.toString());
        } else if (value instanceof LocalTime time) {
            statement.setString(index, TIME.format(time));
        } else {
            throw new IllegalArgumentException("cannot bind a " + value.getClass().getName());
        }
    }

    /** MySQL itself failing (as opposed to rejecting one row): retried, never dead-lettered. */
    static boolean isInfrastructureFailure(SQLException e) {
        String state = e.getSQLState();
        return e instanceof SQLTransientException || e instanceof SQLRecoverableException
                || e instanceof SQLNonTransientConnectionException
                || (state != null && (state.startsWith("08") || state.startsWith("40") || state.equals("HYT00")));
    }

    private void reject(DeadLetters deadLetters, SinkRecord record, String reason) {
        if (!tolerateBadRecords) {
            throw new IllegalStateException("MySQL sink stopped at " + record.coordinates() + " (errors.tolerance=none): " + reason);
        }
        LOG.warn("MySQL sink: record {} goes to the dead-letter topic: {}", record.coordinates(), reason);
        deadLetters.add(record, reason);
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback failed: {}", e.getMessage());
        }
    }
}
