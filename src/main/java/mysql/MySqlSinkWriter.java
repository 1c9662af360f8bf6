package mysql;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

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
import sink.DeadLetters;
import sink.KafkaBatch;
import sink.SinkRecord;

/**
 * Writes a batch of records into MySQL in one transaction. A record that cannot be read or that MySQL
 * rejects (wrong type, too long, constraint) becomes a dead letter and the rest of the batch is still
 * written; a failure of MySQL itself (connection lost, server restarting) is thrown so that nothing of
 * the batch is committed to Kafka and the batch is written again.
 */
public class MySqlSinkWriter implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(MySqlSinkWriter.class);
    private static final String SINK_NAME = "mysql-sink";
    // bound as text: Connector/J drops the milliseconds of temporal parameters when it believes MariaDB is MySQL 5.5
    private static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final DataSource dataSource;
    private final MySqlSinkSettings settings;
    private final RecordMapper mapper;
    private final MySqlTables tables;
    private final PipelineProgress progress;

    public MySqlSinkWriter(DataSource dataSource, MySqlSinkSettings settings, PipelineProgress progress) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.mapper = new RecordMapper(settings);
        this.tables = new MySqlTables(settings.autoCreate(), settings.autoEvolve());
        this.progress = progress;
    }

    /** Consecutive rows for one table, operation and column set: written with the same statement. */
    private record Run(RecordMapper.MappedRow shape, List<SinkRecord> sources, List<RecordMapper.MappedRow> rows) {

        boolean accepts(RecordMapper.MappedRow row) {
            return shape.table().equals(row.table()) && shape.operation() == row.operation()
                    && shape.schema().equals(row.schema()) && shape.keyColumns().equals(row.keyColumns());
        }
    }

    /** Writes the polled batch; the body becomes the dead letters to publish before the offsets are committed. */
    @Override
    public void process(Exchange exchange) throws SQLException {
        DeadLetters deadLetters = new DeadLetters(exchange.getContext(), SINK_NAME);
        write(KafkaBatch.remember(exchange), deadLetters);
        exchange.getMessage().setBody(deadLetters.messages());
    }

    public void write(List<SinkRecord> records, DeadLetters deadLetters) throws SQLException {
        List<Run> runs = map(records, deadLetters);
        if (runs.isEmpty()) {
            return;
        }
        try (Connection connection = dataSource.getConnection()) {
            // DDL first: MySQL commits implicitly around it, which must not split the batch's transaction
            for (Run run : runs) {
                if (run.shape().operation() == RecordMapper.Operation.WRITE) {
                    tables.prepare(connection, run.shape());
                }
            }
            connection.setAutoCommit(false);
            try {
                int written = 0;
                for (Run run : runs) {
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

    private List<Run> map(List<SinkRecord> records, DeadLetters deadLetters) {
        List<Run> runs = new ArrayList<>();
        Run current = null;
        for (SinkRecord record : records) {
            RecordMapper.MappedRow row;
            try {
                row = mapper.map(record, ConnectJson.read(record.key()), ConnectJson.read(record.value()));
            } catch (RecordFormatException e) {
                reject(deadLetters, record, e.getMessage());
                continue;
            }
            if (row == null) {
                continue;
            }
            if (current == null || !current.accepts(row)) {
                current = new Run(row, new ArrayList<>(), new ArrayList<>());
                runs.add(current);
            }
            current.sources().add(record);
            current.rows().add(row);
        }
        return runs;
    }

    private int writeRun(Connection connection, Run run, DeadLetters deadLetters) throws SQLException {
        int columns = run.shape().schema().fields().size();
        int perStatement = MySqlDialect.maxRowsPerStatement(columns, settings.batchSize());
        int written = 0;
        for (int from = 0; from < run.rows().size(); from += perStatement) {
            int to = Math.min(from + perStatement, run.rows().size());
            try {
                execute(connection, run, from, to);
                written += to - from;
            } catch (SQLException e) {
                if (isInfrastructureFailure(e)) {
                    throw e;
                }
                // one bad row fails the whole statement: write this chunk row by row to find it
                written += writeOneByOne(connection, run, from, to, deadLetters);
            }
        }
        return written;
    }

    private int writeOneByOne(Connection connection, Run run, int from, int to, DeadLetters deadLetters) throws SQLException {
        int written = 0;
        for (int i = from; i < to; i++) {
            try {
                execute(connection, run, i, i + 1);
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

    private void execute(Connection connection, Run run, int from, int to) throws SQLException {
        RecordMapper.MappedRow shape = run.shape();
        RecordSchema schema = shape.schema();
        List<String> columns = schema.fields().stream().map(Field::name).toList();
        if (shape.operation() == RecordMapper.Operation.DELETE) {
            executeEach(connection, MySqlDialect.delete(shape.table(), shape.keyColumns()), run, from, to, shape.keyColumns());
        } else if (settings.insertMode() == InsertMode.UPDATE) {
            List<String> order = new ArrayList<>(columns);
            order.removeAll(shape.keyColumns());
            order.addAll(shape.keyColumns());
            executeEach(connection, MySqlDialect.update(shape.table(), columns, shape.keyColumns()), run, from, to, order);
        } else {
            String sql = settings.insertMode() == InsertMode.UPSERT && !shape.keyColumns().isEmpty()
                    ? MySqlDialect.upsert(shape.table(), columns, shape.keyColumns(), to - from)
                    : MySqlDialect.insert(shape.table(), columns, to - from);
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                int parameter = 1;
                for (int i = from; i < to; i++) {
                    // a mapped row's values are in its schema's column order
                    for (Object value : run.rows().get(i).values().values()) {
                        bind(statement, parameter++, value);
                    }
                }
                statement.executeUpdate();
            }
        }
    }

    /** One statement per row, sent as one JDBC batch. */
    private static void executeEach(Connection connection, String sql, Run run, int from, int to, List<String> parameterOrder)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = from; i < to; i++) {
                int parameter = 1;
                for (String column : parameterOrder) {
                    bind(statement, parameter++, run.rows().get(i).values().get(column));
                }
                statement.addBatch();
            }
            statement.executeBatch();
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
        deadLetters.reject(record, reason, settings.tolerateBadRecords(), "MySQL sink");
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback failed: {}", e.getMessage());
        }
    }
}
