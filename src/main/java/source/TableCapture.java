package source;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Ordered;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.sql.DefaultSqlPrepareStatementStrategy;
import org.apache.camel.component.sql.RowMapperFactory;
import org.apache.camel.support.DefaultMessage;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.RowMapper;
import progress.PipelineProgress;
import record.ConnectJson;
import record.Field;
import record.FieldType;
import record.RecordSchema;
import record.Row;

/**
 * The Java steps of one table's source route (routes/source.yaml, one route per table): what the route's
 * {@code from: sql:} binds, how it reads a row, and which records the route's {@code to: kafka:} sends,
 * in one Kafka transaction, for the rows a poll read: the rows and the table's new offset. Either both
 * are in Kafka or neither is, so a crash at any moment neither loses nor repeats a row.
 *
 * <p>The offset a poll starts from is the one committed in Kafka: it advances here only after camel-kafka
 * has committed the route's transaction (camel-kafka commits after the route ends; an offset advanced
 * inside the route would skip rows when that commit fails). After a failed exchange it is read again
 * from the offsets topic, and the route is restarted: camel-kafka closes a producer that failed (or was
 * fenced) and does not create a new one.
 *
 * <p>Rows committed out of order: the offset's safe point only moves over rows whose transaction is
 * older than every transaction still in flight. A younger row is sent at once but remembered as
 * "ahead"; when the older transaction commits, its rows (lower values) are still after the safe point,
 * so they are read and sent too, and the rows already sent are not sent again.
 */
public class TableCapture extends DefaultSqlPrepareStatementStrategy implements RowMapperFactory {

    private static final Logger LOG = LoggerFactory.getLogger(TableCapture.class);
    // the first poll of an offset that is still at the start: every row is after these
    private static final long BEFORE_ANY_INCREMENTING = Long.MIN_VALUE;
    private static final LocalDateTime BEFORE_ANY_TIMESTAMP = LocalDateTime.MIN; // bound by the driver as -infinity

    private final DataSource dataSource;
    private final SourceTableSettings settings;
    private final ConnectJson json;
    private final OffsetStore offsetStore;
    private final PipelineProgress progress;
    private final CapturePolls polls;

    // as committed in Kafka; null: read it from the offsets topic before the next poll
    private volatile SourceOffset committed;
    // the row limit of the poll being processed
    private volatile int pollLimit;
    private List<String> keyColumns = List.of();
    private boolean waitingLogged;

    public TableCapture(DataSource dataSource, SourceTableSettings settings, ConnectJson json, OffsetStore offsetStore,
                        PipelineProgress progress) {
        this(dataSource, settings, json, offsetStore, progress, "source-" + settings.name());
    }

    /** @param routeId the table's route ({@code source-USERS}), as its error count is named */
    public TableCapture(DataSource dataSource, SourceTableSettings settings, ConnectJson json, OffsetStore offsetStore,
                        PipelineProgress progress, String routeId) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.json = json;
        this.offsetStore = offsetStore;
        this.progress = progress;
        this.polls = new CapturePolls(settings.name(), routeId, progress);
    }

    public String name() {
        return settings.name();
    }

    public String topic() {
        return settings.topic();
    }

    /** The route's query: rows after the offset in the mode's order, a batch at a time (see {@link TableQuery}). */
    public String query() {
        return TableQuery.select(settings.mode(), settings.table(), settings.customQuery(), settings.incrementingColumn(),
                settings.timestampColumn());
    }

    /** How many parameters {@link #query()} has (camel-sql's parametersCount: no metadata round trip per poll). */
    public int queryParameters() {
        return parameters(SourceOffset.START, 0).size();
    }

    /**
     * This instance takes the table over (source.TableLeadership, before the route starts), after another instance
     * polled it or might have: the next poll reads the offset committed in Kafka, never one held here from before.
     * The route's producer was started (and fenced every earlier producer of the table) before that read: when the
     * application started, or when the route last started; one fenced since then fails its first transaction, and
     * the route starts again with a new producer and reads again (CapturePolls). With
     * source.start.from=now and no offset in Kafka yet, this instance's "now" is committed first, so that a later
     * leader starts from it too, instead of its own later "now" (which would skip the rows inserted in between).
     */
    public void takeOver(String transactionalId) {
        committed = null;
        if (settings.startFromNow()) {
            offsetStore.commitIfNone(transactionalId, offsetKey(), this::startingNow);
        }
    }

    /** The route's poll strategy: backs off after a failed poll and holds the next poll once a backlog is read. */
    public CapturePolls polls() {
        return polls;
    }

    // ------------------------------------------------------------------ what the poll binds

    @Override
    public String prepareQuery(String query, boolean allowNamedParameters, Exchange exchange) {
        return query; // plain ? parameters: nothing in a table or column name is read as a named parameter
    }

    /** The parameters of the next poll: the committed offset (read from Kafka the first time), the delay, the batch size. */
    @Override
    public Iterator<?> createPopulateIterator(String query, String preparedQuery, int expectedParams, Exchange exchange, Object value) {
        SourceOffset offset = committedOffset();
        int limit = settings.mode() == CaptureMode.BULK ? Integer.MAX_VALUE : settings.batchMaxRows() + offset.ahead().size();
        pollLimit = limit;
        return parameters(offset, limit).iterator();
    }

    private List<Object> parameters(SourceOffset offset, int limit) {
        SourceOffset.Position from = offset.position();
        long incrementing = from.incrementing() == null ? BEFORE_ANY_INCREMENTING : from.incrementing();
        LocalDateTime timestamp = from.timestamp() == null ? BEFORE_ANY_TIMESTAMP : from.timestamp();
        double delaySeconds = settings.delayMs() / 1000.0;
        return switch (settings.mode()) {
            case INCREMENTING -> List.of(incrementing, limit);
            case TIMESTAMP -> List.of(timestamp, delaySeconds, limit);
            case TIMESTAMP_INCREMENTING -> List.of(timestamp, incrementing, timestamp, delaySeconds, limit);
            case BULK -> List.of();
        };
    }

    @Override
    public void populateStatement(PreparedStatement statement, Iterator<?> iterator, int expectedParams) throws SQLException {
        int index = 1;
        while (iterator.hasNext()) {
            Object value = iterator.next();
            if (value instanceof Long number) {
                statement.setLong(index++, number);
            } else if (value instanceof Integer number) {
                statement.setInt(index++, number);
            } else if (value instanceof Double number) {
                statement.setDouble(index++, number);
            } else {
                statement.setObject(index++, value);
            }
        }
    }

    private SourceOffset committedOffset() {
        SourceOffset offset = committed;
        if (offset == null) {
            offset = offsetStore.loadAll().get(offsetKey());
            if (offset == null) {
                offset = settings.startFromNow() ? startingNow() : SourceOffset.START;
            }
            LOG.info("Source {} -> {} ({} mode) resumes after {}", settings.name(), settings.topic(),
                    settings.mode().configName(), describe(offset));
            committed = offset;
        }
        return offset;
    }

    // ------------------------------------------------------------------ how a row is read

    /** One row as read: its record's key and value, its place in the order, and whether its transaction is settled. */
    public record ReadRow(String key, String value, SourceOffset.Position position, boolean settled) {

        /** The row's identity among the rows sent ahead: its key, or its whole value for a table without one. */
        String identity() {
            return key == null ? value : key;
        }
    }

    @Override
    public RowMapper<ReadRow> newColumnRowMapper() {
        return new RowReader();
    }

    @Override
    public RowMapper<?> newBeanRowMapper(Class<?> mappedClass) {
        throw new UnsupportedOperationException("a source route reads rows as Connect records, not as " + mappedClass.getName());
    }

    /** Reads the rows of one result set: the schema from its metadata (once), then each row with its Connect types. */
    private final class RowReader implements RowMapper<ReadRow> {

        private List<Field> fields;
        private int[] dataColumns;
        private boolean[] withTimeZone;
        private int rowAge = -1;
        private int horizonAge = -1;
        private RecordSchema valueSchema;
        private RecordSchema keySchema;
        private String valueSchemaJson;
        private String keySchemaJson;

        @Override
        public ReadRow mapRow(ResultSet rs, int rowNum) throws SQLException {
            if (fields == null) {
                describe(rs.getMetaData());
            }
            Map<String, Object> values = new LinkedHashMap<>();
            for (int f = 0; f < fields.size(); f++) {
                int column = dataColumns[f];
                values.put(fields.get(f).name(), PostgresTypes.read(rs, column, fields.get(f), withTimeZone[column]));
            }
            String key = null;
            if (!keySchema.fields().isEmpty()) {
                Map<String, Object> keyValues = new LinkedHashMap<>();
                for (Field keyField : keySchema.fields()) {
                    keyValues.put(keyField.name(), values.get(keyField.name()));
                }
                key = json.write(new Row(keySchema, keyValues), keySchemaJson);
            }
            // settled: the row's transaction is older than every transaction still in flight
            boolean settled = rowAge < 0 || rs.getLong(rowAge) > rs.getLong(horizonAge);
            return new ReadRow(key, json.write(new Row(valueSchema, values), valueSchemaJson), positionOf(values), settled);
        }

        private void describe(ResultSetMetaData meta) throws SQLException {
            int columns = meta.getColumnCount();
            List<Field> described = new ArrayList<>(columns);
            List<Integer> data = new ArrayList<>(columns);
            withTimeZone = new boolean[columns + 1];
            for (int i = 1; i <= columns; i++) {
                String label = meta.getColumnLabel(i);
                if (label.equals(TableQuery.ROW_XID_AGE)) {
                    rowAge = i;
                } else if (label.equals(TableQuery.HORIZON_XID_AGE)) {
                    horizonAge = i;
                } else {
                    described.add(PostgresTypes.fieldOf(meta, i));
                    data.add(i);
                    withTimeZone[i] = PostgresTypes.hasTimeZone(meta.getColumnTypeName(i));
                }
            }
            dataColumns = data.stream().mapToInt(Integer::intValue).toArray();
            valueSchema = new RecordSchema(settings.name(), described);
            keySchema = new RecordSchema(settings.name() + ".Key", described.stream().filter(f -> keyColumns.contains(f.name()))
                    .map(f -> new Field(f.name(), f.type(), false, f.scale())).toList());
            valueSchemaJson = json.renderedSchema(valueSchema);
            keySchemaJson = json.renderedSchema(keySchema);
            fields = described;
        }
    }

    // ------------------------------------------------------------------ the route step

    /**
     * Route step: the rows a poll read (the body, in the table's order) become the messages the route sends
     * in one Kafka transaction: each row not sent before as a record of the table's topic, keyed by its
     * primary key, then the table's new offset as a record of the offsets topic (header
     * {@code kafka.OVERRIDE_TOPIC}). An empty list: nothing to send. The offset becomes the committed one
     * only once the transaction has committed.
     */
    public List<Message> toRecords(Exchange exchange) throws SQLException {
        AfterCommit afterCommit = new AfterCommit();
        exchange.getExchangeExtension().addOnCompletion(afterCommit);
        @SuppressWarnings("unchecked")
        List<ReadRow> rows = exchange.getMessage().getBody(List.class);
        SourceOffset from = committedOffset(); // loaded by the poll (bulk mode binds nothing, so here)
        List<ReadRow> toSend = new ArrayList<>();
        SourceOffset next = null;
        boolean batchWasFull = false;
        if (settings.mode() == CaptureMode.BULK) {
            toSend.addAll(rows); // the whole table every poll, and no offset
        } else {
            batchWasFull = rows.size() == pollLimit;
            if (settings.mode() == CaptureMode.TIMESTAMP && batchWasFull) {
                rows = withoutCutTimestampGroup(rows);
            }
            SourceOffset.Position safe = from.position();
            boolean settledSoFar = true;
            List<SourceOffset.Sent> newlyAhead = new ArrayList<>();
            Set<String> sentAhead = new HashSet<>();
            from.ahead().forEach(sent -> sentAhead.add(sent.key()));
            for (ReadRow row : rows) {
                boolean alreadySent = sentAhead.contains(row.identity());
                settledSoFar &= row.settled();
                if (settledSoFar) {
                    safe = row.position();
                } else if (!alreadySent) {
                    if (from.ahead().size() + newlyAhead.size() >= SourceTableSettings.MAX_AHEAD_ROWS) {
                        logWaiting();
                        batchWasFull = false;
                        break;
                    }
                    newlyAhead.add(new SourceOffset.Sent(row.position(), row.identity()));
                }
                if (!alreadySent) {
                    toSend.add(row);
                }
            }
            next = from.advancedTo(safe, newlyAhead);
            if (toSend.isEmpty() && next.equals(from)) {
                polls.holdNextImmediatePoll();
                return List.of();
            }
        }
        if (!batchWasFull) {
            polls.holdNextImmediatePoll(); // the backlog is read: the next poll waits source.poll.interval.ms
        }
        CamelContext context = exchange.getContext();
        List<Message> messages = new ArrayList<>(toSend.size() + 1);
        for (ReadRow row : toSend) {
            Message message = new DefaultMessage(context);
            message.setBody(row.value());
            if (row.key() != null) {
                message.setHeader(KafkaConstants.KEY, row.key());
            }
            messages.add(message);
        }
        if (next != null) {
            Message offsetRecord = new DefaultMessage(context);
            offsetRecord.setHeader(KafkaConstants.OVERRIDE_TOPIC, offsetStore.topic());
            offsetRecord.setHeader(KafkaConstants.KEY, offsetKey());
            offsetRecord.setBody(next.toJson());
            messages.add(offsetRecord);
        }
        afterCommit.pending(next, toSend.size());
        return messages;
    }

    /**
     * Runs after camel-kafka ended the route's transaction (its synchronization has order 0, this one the
     * lowest, so it runs last) and sees whether the commit failed: camel-kafka sets that on the exchange.
     */
    private final class AfterCommit extends SynchronizationAdapter {

        private SourceOffset next;
        private int rows;
        private boolean sending;

        void pending(SourceOffset offset, int rowCount) {
            this.next = offset;
            this.rows = rowCount;
            this.sending = true;
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST;
        }

        @Override
        public void onDone(Exchange exchange) {
            Exception failure = exchange.getException();
            if (failure == null && !exchange.isRollbackOnly()) {
                if (sending) {
                    if (next != null) {
                        committed = next;
                    }
                    waitingLogged = false;
                    String counter = PipelineProgress.written(exchange.getFromRouteId());
                    progress.add(counter, rows);
                    SourceOffset now = committed;
                    if (now != null) {
                        progress.position(counter, describe(now));
                    }
                }
                polls.succeeded();
                return;
            }
            // not committed (or not known to be): start again from what Kafka holds, with a new producer
            committed = null;
            polls.failed(failure == null ? "rolled back" : failure.getMessage());
            polls.restartRoute(exchange.getContext(), exchange.getFromRouteId());
        }
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
        List<ReadRow> group = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     TableQuery.timestampGroup(settings.table(), settings.customQuery(), settings.timestampColumn()))) {
            statement.setObject(1, last);
            try (ResultSet rs = statement.executeQuery()) {
                RowReader reader = new RowReader();
                int rowNum = 0;
                while (rs.next()) {
                    group.add(reader.mapRow(rs, rowNum++));
                }
            }
        }
        return group;
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
    private SourceOffset startingNow() {
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
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read where source.start.from=now starts: " + e.getMessage(), e);
        }
    }

    /** Checks at start-up that the table and the mode's columns exist and are usable; names the property otherwise. */
    public void validate() throws SQLException {
        String from = TableQuery.from(settings.table(), settings.customQuery());
        String what = settings.table() != null ? "source.table.whitelist: table '" + settings.table() + "'" : "source.query";
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT * FROM " + from + " LIMIT 0")) {
            keyColumns = primaryKey(connection);
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
}
