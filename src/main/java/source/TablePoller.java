package source;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import progress.PipelineProgress;
import record.ConnectJson;
import record.Field;
import record.RecordSchema;
import record.Row;

/**
 * Captures one table in incrementing mode. Each poll reads the rows after the committed offset and
 * sends them, together with the new offset, in one Kafka transaction: either the rows and the offset
 * are both in Kafka or neither is, so a crash at any moment neither loses nor repeats a row.
 */
public class TablePoller {

    private static final Logger LOG = LoggerFactory.getLogger(TablePoller.class);

    private final DataSource dataSource;
    private final String table;
    private final String incrementingColumn;
    private final int batchMaxRows;
    private final String topic;
    private final ConnectJson json;
    private final OffsetStore offsetStore;
    private final Supplier<KafkaProducer<String, String>> producerFactory;
    private final PipelineProgress progress;
    private final String sql;

    private KafkaProducer<String, String> producer;
    private SourceOffset committed;
    private List<String> keyColumns;

    public TablePoller(DataSource dataSource, String table, String incrementingColumn, int batchMaxRows, String topic,
                       ConnectJson json, OffsetStore offsetStore, Supplier<KafkaProducer<String, String>> producerFactory,
                       PipelineProgress progress) {
        this.dataSource = dataSource;
        this.table = table;
        this.incrementingColumn = incrementingColumn;
        this.batchMaxRows = batchMaxRows;
        this.topic = topic;
        this.json = json;
        this.offsetStore = offsetStore;
        this.producerFactory = producerFactory;
        this.progress = progress;
        this.sql = TableQuery.incrementing(table, incrementingColumn);
    }

    public String table() {
        return table;
    }

    public String topic() {
        return topic;
    }

    /** Reads and publishes one batch; returns the number of rows sent. Called by the source route's timer only. */
    public synchronized int poll() throws SQLException {
        if (committed == null) {
            committed = offsetStore.loadAll().getOrDefault(offsetKey(), SourceOffset.START);
            LOG.info("Source {} -> {} resumes after {} = {}", table, topic, incrementingColumn,
                    committed == SourceOffset.START ? "(start)" : committed.lastIncrementing());
        }
        Batch batch = readBatch(committed);
        if (batch.records().isEmpty()) {
            return 0;
        }
        publish(batch);
        committed = batch.offset();
        progress.add("source " + table + " rows", batch.records().size());
        progress.position("source " + table + " rows", incrementingColumn + "=" + committed.lastIncrementing());
        return batch.records().size();
    }

    private record Batch(List<ProducerRecord<String, String>> records, SourceOffset offset) {
    }

    private Batch readBatch(SourceOffset from) throws SQLException {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        SourceOffset offset = from;
        try (Connection connection = dataSource.getConnection()) {
            if (keyColumns == null) {
                keyColumns = primaryKey(connection);
            }
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setLong(1, from.lastIncrementing());
                statement.setInt(2, batchMaxRows);
                try (ResultSet rs = statement.executeQuery()) {
                    ResultSetMetaData meta = rs.getMetaData();
                    int columns = meta.getColumnCount();
                    List<Field> fields = new ArrayList<>(columns);
                    int[] sqlTypes = new int[columns];
                    int incrementingIndex = -1;
                    for (int i = 1; i <= columns; i++) {
                        fields.add(PostgresTypes.fieldOf(meta, i));
                        sqlTypes[i - 1] = meta.getColumnType(i);
                        if (meta.getColumnLabel(i).equals(incrementingColumn)) {
                            incrementingIndex = i;
                        }
                    }
                    RecordSchema valueSchema = new RecordSchema(table, fields);
                    RecordSchema keySchema = new RecordSchema(table + ".Key",
                            fields.stream().filter(f -> keyColumns.contains(f.name())).toList());
                    while (rs.next()) {
                        Map<String, Object> values = new LinkedHashMap<>();
                        for (int i = 1; i <= columns; i++) {
                            values.put(fields.get(i - 1).name(), PostgresTypes.read(rs, i, fields.get(i - 1), sqlTypes[i - 1]));
                        }
                        Map<String, Object> keyValues = new LinkedHashMap<>();
                        for (Field keyField : keySchema.fields()) {
                            keyValues.put(keyField.name(), values.get(keyField.name()));
                        }
                        records.add(new ProducerRecord<>(topic, json.write(new Row(keySchema, keyValues)),
                                json.write(new Row(valueSchema, values))));
                        offset = offset.advancedTo(rs.getLong(incrementingIndex));
                    }
                }
            }
        }
        return new Batch(records, offset);
    }

    private List<String> primaryKey(Connection connection) throws SQLException {
        List<String> columns = new ArrayList<>();
        DatabaseMetaData meta = connection.getMetaData();
        try (ResultSet rs = meta.getPrimaryKeys(null, null, table)) {
            while (rs.next()) {
                columns.add(rs.getString("COLUMN_NAME"));
            }
        }
        // a table without a primary key is keyed by its incrementing column, which identifies a row as well
        return columns.isEmpty() ? List.of(incrementingColumn) : columns;
    }

    private void publish(Batch batch) {
        if (producer == null) {
            producer = producerFactory.get();
            producer.initTransactions();
        }
        try {
            producer.beginTransaction();
            for (ProducerRecord<String, String> record : batch.records()) {
                producer.send(record);
            }
            producer.send(new ProducerRecord<>(offsetStore.topic(), offsetKey(), batch.offset().toJson()));
            producer.commitTransaction();
        } catch (RuntimeException e) {
            // whatever failed, the transaction did not commit: drop the producer, the next poll retries the same rows
            closeProducer();
            throw e;
        }
    }

    private String offsetKey() {
        return "table:" + table;
    }

    public synchronized void close() {
        closeProducer();
    }

    private void closeProducer() {
        if (producer != null) {
            try {
                producer.close(java.time.Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("Closing the source producer of {} failed: {}", table, e.getMessage());
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
