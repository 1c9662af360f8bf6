package pipeline;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import localstack.EmbeddedMariaDb;
import localstack.EmbeddedPostgreSql;
import localstack.LocalStack;

/** Plain JDBC on both databases: what the tests insert and what they read back to compare. */
final class Tables {

    static final String[] TEXT_COLUMNS = {"job", "company", "ssn", "residence", "username", "name", "sex", "address", "mail"};

    private Tables() {
    }

    static Connection postgres(LocalStack stack) throws SQLException {
        return DriverManager.getConnection(stack.postgres().jdbcUrl(), EmbeddedPostgreSql.USER, "");
    }

    static Connection mysql(LocalStack stack) throws SQLException {
        return DriverManager.getConnection(stack.mariaDb().jdbcUrl(), EmbeddedMariaDb.USER, "");
    }

    /** Inserts one users row with the given text values (nulls allowed) and returns its index. */
    /** Inserts {@code count} users from the generator's {@link generator.FakeUsers} in one statement, as the generator route would. */
    static void insertFakeUsers(Connection postgres, String table, int count) throws SQLException {
        java.util.List<Map<String, Object>> users = new generator.FakeUsers().next(count);
        java.util.List<String> columns = new java.util.ArrayList<>(users.get(0).keySet());
        StringBuilder sql = new StringBuilder("INSERT INTO \"" + table + "\" (");
        columns.forEach(column -> sql.append(column.equals(columns.get(0)) ? "" : ", ").append('"').append(column).append('"'));
        sql.append(") VALUES ");
        for (int i = 0; i < count; i++) {
            sql.append(i == 0 ? "(" : ", (").append("?, ".repeat(columns.size() - 1)).append("?)");
        }
        try (PreparedStatement insert = postgres.prepareStatement(sql.toString())) {
            int parameter = 1;
            for (Map<String, Object> user : users) {
                for (String column : columns) {
                    insert.setObject(parameter++, user.get(column));
                }
            }
            insert.executeUpdate();
        }
    }

    static long insertUser(Connection postgres, String table, String[] texts, LocalDate birthdate, LocalDateTime timestamp)
            throws SQLException {
        StringBuilder sql = new StringBuilder("INSERT INTO \"" + table + "\" (");
        for (String column : TEXT_COLUMNS) {
            sql.append('"').append(column).append("\", ");
        }
        sql.append("\"birthdate\", \"timestamp\") VALUES (").append("?, ".repeat(TEXT_COLUMNS.length)).append("?, ?) RETURNING \"index\"");
        try (PreparedStatement statement = postgres.prepareStatement(sql.toString())) {
            for (int i = 0; i < TEXT_COLUMNS.length; i++) {
                statement.setString(i + 1, texts[i]);
            }
            statement.setObject(TEXT_COLUMNS.length + 1, birthdate);
            statement.setObject(TEXT_COLUMNS.length + 2, timestamp);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Every row by index, each column as String, LocalDate or LocalDateTime (comparable across both databases). */
    static Map<Long, Map<String, Object>> rows(Connection connection, String quotedTable) throws SQLException {
        Map<Long, Map<String, Object>> rows = new TreeMap<>();
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT * FROM " + quotedTable)) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    String column = meta.getColumnLabel(i);
                    Object value = switch (column) {
                        case "birthdate" -> rs.getObject(i, LocalDate.class);
                        case "timestamp" -> rs.getObject(i, LocalDateTime.class);
                        case "index" -> rs.getLong(i);
                        default -> rs.getString(i);
                    };
                    row.put(column, value);
                }
                Long index = (Long) row.get("index");
                if (rows.put(index, row) != null) {
                    throw new AssertionError("index " + index + " appears twice in " + quotedTable);
                }
            }
        }
        return rows;
    }

    static long count(Connection connection, String quotedTable) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT COUNT(*) FROM " + quotedTable)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            if (e.getMessage().contains("doesn't exist")) {
                return 0;
            }
            throw e;
        }
    }

    /** Same rows, same columns, same values; a difference is reported by row, column and position, not as two huge maps. */
    static void assertSameRows(Map<Long, Map<String, Object>> actual, Map<Long, Map<String, Object>> expected) {
        if (!actual.keySet().equals(expected.keySet())) {
            java.util.Set<Long> missing = new java.util.TreeSet<>(expected.keySet());
            missing.removeAll(actual.keySet());
            java.util.Set<Long> extra = new java.util.TreeSet<>(actual.keySet());
            extra.removeAll(expected.keySet());
            throw new AssertionError("rows differ: missing " + abbreviate(missing.toString()) + ", unexpected " + abbreviate(extra.toString()));
        }
        for (Map.Entry<Long, Map<String, Object>> row : expected.entrySet()) {
            Map<String, Object> other = actual.get(row.getKey());
            for (Map.Entry<String, Object> column : row.getValue().entrySet()) {
                Object want = column.getValue();
                Object got = other.get(column.getKey());
                if (!java.util.Objects.equals(want, got)) {
                    throw new AssertionError("row " + row.getKey() + " column " + column.getKey() + ": " + describeDifference(want, got));
                }
            }
        }
    }

    static String describeDifference(Object want, Object got) {
        if (want instanceof String a && got instanceof String b) {
            int at = 0;
            while (at < Math.min(a.length(), b.length()) && a.charAt(at) == b.charAt(at)) {
                at++;
            }
            return "first difference at char " + at + " of " + a.length() + "/" + b.length() + ": expected ..."
                    + abbreviate(a.substring(at)) + " but was ..." + abbreviate(b.substring(at));
        }
        return "expected " + abbreviate(String.valueOf(want)) + " but was " + abbreviate(String.valueOf(got));
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }
}
