package mysql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import record.Field;
import sink.SinkHaltException;

/**
 * Makes a table fit the records before they are written: creates it from the schema (auto.create) and
 * adds columns that appear in records (auto.evolve). Runs outside the write transaction, since MySQL
 * commits implicitly around DDL.
 */
class MySqlTables {

    private static final Logger LOG = LoggerFactory.getLogger(MySqlTables.class);

    private final boolean autoCreate;
    private final boolean autoEvolve;
    // column names, lower case (MySQL compares them without case), of the tables seen so far
    private final Map<String, Set<String>> columns = new ConcurrentHashMap<>();

    MySqlTables(boolean autoCreate, boolean autoEvolve) {
        this.autoCreate = autoCreate;
        this.autoEvolve = autoEvolve;
    }

    void prepare(Connection connection, RecordMapper.MappedRow row) throws SQLException {
        Set<String> existing = columns.get(row.table());
        if (existing == null) {
            existing = load(connection, row.table());
            if (existing.isEmpty()) {
                if (!autoCreate) {
                    throw new SinkHaltException("MySQL table " + row.table() + " does not exist and mysql.auto.create=false");
                }
                execute(connection, MySqlDialect.createTable(row.table(), row.schema(), row.keyColumns()));
                LOG.info("Created MySQL table {} from the record schema", row.table());
                existing = load(connection, row.table());
            }
            columns.put(row.table(), existing);
        }
        if (!autoEvolve) {
            return; // a record with an unknown column is then rejected by MySQL and goes to the dead-letter topic
        }
        for (Field field : row.schema().fields()) {
            if (!existing.contains(field.name().toLowerCase(Locale.ROOT))) {
                execute(connection, MySqlDialect.addColumn(row.table(), field));
                LOG.info("Added column {} ({}) to MySQL table {}", field.name(), field.type(), row.table());
                existing.add(field.name().toLowerCase(Locale.ROOT));
            }
        }
    }

    private static Set<String> load(Connection connection, String table) throws SQLException {
        Set<String> names = ConcurrentHashMap.newKeySet();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?")) {
            statement.setString(1, table);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1).toLowerCase(Locale.ROOT));
                }
            }
        }
        return names;
    }

    private static void execute(Connection connection, String ddl) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(ddl);
        }
    }

}
