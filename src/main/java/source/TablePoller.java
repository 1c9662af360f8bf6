package source;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import progress.PipelineProgress;
import record.ConnectJson;
import record.Field;
import record.FieldType;
import record.RecordSchema;
import record.Row;

/**
 * Captures one table (or query). Each poll reads, in one snapshot, the rows after the committed offset,
 * and sends them together with the new offset in one Kafka transaction: either the rows and the offset
 * are both in Kafka or neither is, so a crash at any moment neither loses nor repeats a row.
 *
 * <p>Rows committed out of order: the offset's safe point only moves over rows whose transaction is
 * older than every transaction still in flight. A younger row is sent at once but remembered as
 * "ahead"; when the older transaction commits, its rows (lower values) are still after the safe point,
 * so they are read and sent too, and the rows already sent are not sent again.
 */
public class TablePoller {

    private static final Logger LOG = LoggerFactory.getLogger(TablePoller.class);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final DataSource dataSource;
    private final SourceTableSettings settings;
    private final ConnectJson json;
    private final OffsetStore offsetStore;
    private final Supplier<KafkaProducer<String, String>> producerFactory;
    private final PipelineProgress progress;

    private KafkaProducer<String, String> producer;
    private SourceOffset committed;
    private List<String> keyColumns;
    private boolean waitingLogged;
    // the last read filled a whole batch: more rows are probably waiting
    private boolean backlogRemains;
    // after a failed poll (database unreachable), polls are skipped for a growing while
    private int consecutiveFailures;
    private long nextAttemptNanos;

    public TablePoller(DataSource dataSource, SourceTableSettings settings, ConnectJson json, OffsetStore offsetStore,
                       Supplier<KafkaProducer<String, String>> producerFactory, PipelineProgress progress) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.json = json;
        this.offsetStore = offsetStore;
        this.producerFactory = producerFactory;
        this.progress = progress;
    }

    public String name() {
        return settings.name();
    }

    /** One row as read: its record, its place in the order, and whether its transaction is settled. */
    private record ReadRow(ProducerRecord<String, String> record, String key, SourceOffset.Position position, boolean settled) {
    }

    /**
     * Reads and publishes the rows after the committed offset, batch after batch while a backlog remains
     * and {@code mayContinue} says the flow is not being paused or stopped (so a stop waits for one batch
     * at most, and a backlog is never interrupted by the timer's pause between polls); returns the number
     * of rows sent. Called by the source route's timer only. A failure leaves the committed offset as it
     * was (the same rows are read again) and pauses polling for a while that doubles with each failure,
     * up to {@link #MAX_BACKOFF}.
     */
    public synchronized int poll(BooleanSupplier mayContinue) throws SQLException {
        if (System.nanoTime() < nextAttemptNanos) {
            return 0;
        }
        try {
            int sent = 0;
            do {
                sent += pollOnce();
            } while (backlogRemains && mayContinue.getAsBoolean());
            consecutiveFailures = 0;
            return sent;
        } catch (SQLException | RuntimeException e) {
            consecutiveFailures++;
            progress.add("source-" + settings.name() + " errors", 1);
            Duration backoff = MIN_BACKOFF.multipliedBy(1L << Math.min(consecutiveFailures - 1, 10));
            backoff = backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff;
            nextAttemptNanos = System.nanoTime() + backoff.toNanos();
            LOG.warn("Source {}: poll failed ({} in a row), next attempt in {} ms: {}", settings.name(), consecutiveFailures,
                    backoff.toMillis(), e.getMessage());
            throw e;
        }
    }

    private int pollOnce() throws SQLException {
        if (committed == null) {
            committed = offsetStore.loadAll().get(offsetKey());
            if (committed == null) {
                committed = settings.startFromNow() ? startingNow() : SourceOffset.START;
            }
            LOG.info("Source {} -> {} ({} mode) resumes after {}", settings.name(), settings.topic(),
                    settings.mode().configName(), describe(committed));
        }
        if (settings.mode() == CaptureMode.BULK) {
            backlogRemains = false;
            List<ReadRow> rows = read(committed.position(), Integer.MAX_VALUE);
            publish(rows.stream().map(ReadRow::record).toList(), null);
            count(rows.size());
            return rows.size();
        }
        int limit = settings.batchMaxRows() + committed.ahead().size();
        List<ReadRow> rows = read(committed.position(), limit);
        backlogRemains = rows.size() == limit;
        if (settings.mode() == CaptureMode.TIMESTAMP && rows.size() == limit) {
            rows = withoutCutTimestampGroup(rows);
        }

        SourceOffset.Position safe = committed.position();
        boolean settledSoFar = true;
        List<ProducerRecord<String, String>> toSend = new ArrayList<>();
        List<SourceOffset.Sent> newlyAhead = new ArrayList<>();
        java.util.Set<String> sentAhead = new java.util.HashSet<>();
        committed.ahead().forEach(sent -> sentAhead.add(sent.key()));
        for (ReadRow row : rows) {
            boolean alreadySent = sentAhead.contains(row.key());
            settledSoFar &= row.settled();
            if (settledSoFar) {
                safe = row.position();
            } else if (!alreadySent) {
                if (committed.ahead().size() + newlyAhead.size() >= SourceTableSettings.MAX_AHEAD_ROWS) {
                    logWaiting();
                    backlogRemains = false;
                    break;
                }
                newlyAhead.add(new SourceOffset.Sent(row.position(), row.key()));
            }
            if (!alreadySent) {
                toSend.add(row.record());
            }
        }
        SourceOffset next = committed.advancedTo(safe, newlyAhead);
        if (toSend.isEmpty() && next.equals(committed)) {
            return 0;
        }
        publish(toSend, next);
        committed = next;
        waitingLogged = false;
        count(toSend.size());
        return toSend.size();
    }

    private void count(int rows) {
        String counter = "source " + settings.name() + " rows";
        progress.add(counter, rows);
        progress.position(counter, describe(committed));
    }

    private void logWaiting() {
        if (!waitingLogged) {
            LOG.warn("Source {}: {} rows were committed after a transaction that is still open; waiting for it to end "
                    + "before reading further (no row is skipped)", settings.name(), SourceTableSettings.MAX_AHEAD_ROWS);
            waitingLogged = true;
        }
    }

    /** In timestamp mode a batch must not end inside a group of equal timestamps: the rest would be skipped. */
    private List<ReadRow> withoutCutTimestampGroup(List<ReadRow> rows) throws SQLException {
        LocalDateTime last = rows.get(rows.size() - 1).position().timestamp();
        List<ReadRow> kept = new ArrayList<>(rows.stream().filter(r -> !r.position().timestamp().equals(last)).toList());
        if (!kept.isEmpty()) {
            return kept; // the trailing group is read whole by the next poll
        }
        // the whole batch is one timestamp: read that group entirely
        return readGroup(last);
    }

    private List<ReadRow> read(SourceOffset.Position from, int limit) throws SQLException {
        boolean fromStart = from.incrementing() == null && from.timestamp() == null;
        String sql = TableQuery.select(settings.mode(), settings.table(), settings.customQuery(), settings.incrementingColumn(),
                settings.timestampColumn(), fromStart);
        return query(sql, statement -> {
            int p = 1;
            if (!fromStart) {
                switch (settings.mode()) {
                    case INCREMENTING -> statement.setLong(p++, from.incrementing());
                    case TIMESTAMP -> statement.setObject(p++, from.timestamp());
                    case TIMESTAMP_INCREMENTING -> {
                        statement.setObject(p++, from.timestamp());
                        statement.setLong(p++, from.incrementing());
                        statement.setObject(p++, from.timestamp());
                    }
                    case BULK -> { }
                }
            }
            if (settings.mode().usesTimestamp()) {
                statement.setDouble(p++, settings.delayMs() / 1000.0);
            }
            if (settings.mode() != CaptureMode.BULK) {
                statement.setInt(p, limit);
            }
        });
    }

    private List<ReadRow> readGroup(LocalDateTime timestamp) throws SQLException {
        return query(TableQuery.timestampGroup(settings.table(), settings.customQuery(), settings.timestampColumn()),
                statement -> statement.setObject(1, timestamp));
    }

    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    /** Runs one read in a repeatable-read snapshot, so the rows and the in-flight horizon are seen together. */
    private List<ReadRow> query(String sql, Binder binder) throws SQLException {
        List<ReadRow> rows = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                if (keyColumns == null) {
                    keyColumns = primaryKey(connection);
                }
                try (PreparedStatement statement = connection.prepareStatement(sql)) {
                    binder.bind(statement);
                    try (ResultSet rs = statement.executeQuery()) {
                        readRows(rs, rows);
                    }
                }
                connection.commit();
            } finally {
                connection.setAutoCommit(true);
            }
        }
        return rows;
    }

    private void readRows(ResultSet rs, List<ReadRow> rows) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        int columns = meta.getColumnCount();
        List<Field> fields = new ArrayList<>(columns);
        List<Integer> dataColumns = new ArrayList<>(columns);
        boolean[] withTimeZone = new boolean[columns + 1];
        int rowAge = -1;
        int horizonAge = -1;
        for (int i = 1; i <= columns; i++) {
            String label = meta.getColumnLabel(i);
            if (label.equals(TableQuery.ROW_XID_AGE)) {
                rowAge = i;
            } else if (label.equals(TableQuery.HORIZON_XID_AGE)) {
                horizonAge = i;
            } else {
                fields.add(PostgresTypes.fieldOf(meta, i));
                dataColumns.add(i);
                withTimeZone[i] = PostgresTypes.hasTimeZone(meta.getColumnTypeName(i));
            }
        }
        RecordSchema valueSchema = new RecordSchema(settings.name(), fields);
        RecordSchema keySchema = new RecordSchema(settings.name() + ".Key",
                fields.stream().filter(f -> keyColumns.contains(f.name())).map(f -> new Field(f.name(), f.type(), false, f.scale())).toList());
        while (rs.next()) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (int f = 0; f < fields.size(); f++) {
                int column = dataColumns.get(f);
                values.put(fields.get(f).name(), PostgresTypes.read(rs, column, fields.get(f), withTimeZone[column]));
            }
            Map<String, Object> keyValues = new LinkedHashMap<>();
            for (Field keyField : keySchema.fields()) {
                keyValues.put(keyField.name(), values.get(keyField.name()));
            }
            String key = keySchema.fields().isEmpty() ? null : json.write(new Row(keySchema, keyValues));
            ProducerRecord<String, String> record = new ProducerRecord<>(settings.topic(), key, json.write(new Row(valueSchema, values)));
            // settled: the row's transaction is older than every transaction still in flight
            boolean settled = rowAge < 0 || rs.getLong(rowAge) > rs.getLong(horizonAge);
            rows.add(new ReadRow(record, key == null ? record.value() : key, positionOf(values), settled));
        }
    }

    private SourceOffset.Position positionOf(Map<String, Object> values) {
        Long incrementing = null;
        LocalDateTime timestamp = null;
        if (settings.mode().usesIncrementing()) {
            incrementing = ((Number) values.get(settings.incrementingColumn())).longValue();
        }
        if (settings.mode().usesTimestamp()) {
            timestamp = (LocalDateTime) values.get(settings.timestampColumn());
        }
        return new SourceOffset.Position(timestamp, incrementing);
    }

    private List<String> primaryKey(Connection connection) throws SQLException {
        List<String> columns = new ArrayList<>();
        if (settings.table() != null) {
            DatabaseMetaData meta = connection.getMetaData();
            try (ResultSet rs = meta.getPrimaryKeys(null, null, settings.table())) {
                while (rs.next()) {
                    columns.add(rs.getString("COLUMN_NAME"));
                }
            }
        }
        // without a primary key, the incrementing column identifies a row as well
        if (columns.isEmpty() && settings.incrementingColumn() != null && settings.mode().usesIncrementing()) {
            columns.add(settings.incrementingColumn());
        }
        return columns;
    }

    /** source.start.from=now: the offset of the newest row already there (or the current time). */
    private SourceOffset startingNow() throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            Long incrementing = null;
            LocalDateTime timestamp = null;
            if (settings.mode().usesIncrementing()) {
                String from = TableQuery.from(settings.table(), settings.customQuery());
                try (ResultSet rs = statement.executeQuery("SELECT max(t." + TableQuery.quote(settings.incrementingColumn()) + ") FROM " + from)) {
                    rs.next();
                    long max = rs.getLong(1);
                    incrementing = rs.wasNull() ? null : max;
                }
            }
            if (settings.mode().usesTimestamp()) {
                try (ResultSet rs = statement.executeQuery("SELECT LOCALTIMESTAMP")) {
                    rs.next();
                    timestamp = rs.getObject(1, LocalDateTime.class);
                }
                if (incrementing == null && settings.mode().usesIncrementing()) {
                    incrementing = Long.MIN_VALUE;
                }
            }
            return new SourceOffset(new SourceOffset.Position(timestamp, incrementing), List.of());
        }
    }

    /** Checks at start-up that the table and the mode's columns exist and are usable; names the property otherwise. */
    public void validate() throws SQLException {
        String from = TableQuery.from(settings.table(), settings.customQuery());
        String what = settings.table() != null ? "source.table.whitelist: table '" + settings.table() + "'" : "source.query";
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT * FROM " + from + " LIMIT 0")) {
            ResultSetMetaData meta = rs.getMetaData();
            checkColumn(meta, settings.mode().usesIncrementing(), settings.incrementingColumn(), "source.incrementing.column.name", what);
            checkColumn(meta, settings.mode().usesTimestamp(), settings.timestampColumn(), "source.timestamp.column.name", what);
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                if (PostgresTypes.isUnsupported(meta.getColumnType(i), meta.getColumnTypeName(i))) {
                    LOG.warn("Source {}: column {} has type {}, which has no Connect type; it is sent as its text form",
                            settings.name(), meta.getColumnLabel(i), meta.getColumnTypeName(i));
                }
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                throw new IllegalArgumentException("Invalid configuration: " + what + " does not exist");
            }
            if (settings.table() == null) {
                throw new IllegalArgumentException("Invalid configuration: source.query fails: " + e.getMessage());
            }
            throw e;
        }
    }

    private void checkColumn(ResultSetMetaData meta, boolean used, String column, String property, String what) throws SQLException {
        if (!used) {
            return;
        }
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            if (meta.getColumnLabel(i).equals(column)) {
                FieldType type = PostgresTypes.fieldOf(meta, i).type();
                boolean incrementing = property.contains("incrementing");
                if (incrementing && !(type == FieldType.INT16 || type == FieldType.INT32 || type == FieldType.INT64)) {
                    throw new IllegalArgumentException("Invalid configuration: " + property + " = '" + column + "' in " + what
                            + " is not an integer column");
                }
                if (!incrementing && type != FieldType.TIMESTAMP) {
                    throw new IllegalArgumentException("Invalid configuration: " + property + " = '" + column + "' in " + what
                            + " is not a timestamp column");
                }
                if (settings.validateNonNull() && meta.isNullable(i) != ResultSetMetaData.columnNoNulls && settings.table() != null) {
                    throw new IllegalArgumentException("Invalid configuration: " + property + " = '" + column + "' in " + what
                            + " is nullable (rows with NULL there would never be read); make it NOT NULL or set source.validate.non.null=false");
                }
                return;
            }
        }
        throw new IllegalArgumentException("Invalid configuration: " + property + " = '" + column + "': no such column in " + what);
    }

    private void publish(List<ProducerRecord<String, String>> records, SourceOffset offset) {
        if (producer == null) {
            producer = producerFactory.get();
            producer.initTransactions();
        }
        try {
            producer.beginTransaction();
            for (ProducerRecord<String, String> record : records) {
                producer.send(record);
            }
            if (offset != null) {
                producer.send(new ProducerRecord<>(offsetStore.topic(), offsetKey(), offset.toJson()));
            }
            producer.commitTransaction();
        } catch (RuntimeException e) {
            // whatever failed, the transaction did not commit: drop the producer, the next poll retries the same rows
            closeProducer();
            throw e;
        }
    }

    private String offsetKey() {
        return settings.table() != null ? "table:" + settings.table() : "query:" + settings.topic();
    }

    private static String describe(SourceOffset offset) {
        SourceOffset.Position position = offset.position();
        if (position.incrementing() == null && position.timestamp() == null) {
            return "(start)";
        }
        StringBuilder text = new StringBuilder();
        if (position.timestamp() != null) {
            text.append("timestamp=").append(position.timestamp());
        }
        if (position.incrementing() != null) {
            text.append(text.length() > 0 ? " " : "").append("incrementing=").append(position.incrementing());
        }
        if (!offset.ahead().isEmpty()) {
            text.append(" (+").append(offset.ahead().size()).append(" rows sent ahead of an open transaction)");
        }
        return text.toString();
    }

    public synchronized void close() {
        closeProducer();
    }

    private void closeProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("Closing the source producer of {} failed: {}", settings.name(), e.getMessage());
            }
            producer = null;
        }
    }

    /** The producer settings every source producer shares; the transactional id is per table. */
    public static Properties producerProperties(Properties base, String transactionalId) {
        Properties props = new Properties();
        props.putAll(base);
        props.put("transactional.id", transactionalId);
        props.put("enable.idempotence", "true");
        props.put("acks", "all");
        return props;
    }
}
