package mysql;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Iterator;
import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.component.sql.DefaultSqlPrepareStatementStrategy;

/**
 * How camel-sql binds the MySQL sink's parameters (the sql endpoints' {@code prepareStatementStrategy}):
 * with the setter of each value's own type. camel-sql's default goes through Spring's generic setter,
 * which binds a Long with setObject and asks the driver for the parameter's type before every NULL; the
 * values here were already made bindable by {@link MySqlRows} (longs, doubles, booleans, text, bytes,
 * decimals; times as text). The values are a row's list, bound in order: nothing in the statement's text
 * is read as a parameter name (camel-sql's default would take {@code :?name} in a quoted column name for a
 * named parameter, and evaluate {@code :?${...}} as an expression).
 */
public class MySqlParameters extends DefaultSqlPrepareStatementStrategy {

    @Override
    public Iterator<?> createPopulateIterator(String query, String preparedQuery, int expectedParams, Exchange exchange, Object value) {
        return ((List<?>) value).iterator();
    }

    @Override
    public void populateStatement(PreparedStatement ps, Iterator<?> iterator, int expectedParams) throws SQLException {
        int index = 1;
        while (iterator != null && iterator.hasNext()) {
            if (index > expectedParams) {
                throw new SQLException("Number of parameters mismatch. Expected: " + expectedParams + ", was more");
            }
            bind(ps, index++, iterator.next());
        }
        if (index - 1 != expectedParams) {
            throw new SQLException("Number of parameters mismatch. Expected: " + expectedParams + ", was: " + (index - 1));
        }
    }

    static void bind(PreparedStatement statement, int index, Object value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.NULL);
        } else if (value instanceof Long number) {
            statement.setLong(index, number);
        } else if (value instanceof String text) {
            statement.setString(index, text);
        } else if (value instanceof Double number) {
            statement.setDouble(index, number);
        } else if (value instanceof Boolean bool) {
            statement.setBoolean(index, bool);
        } else if (value instanceof byte[] bytes) {
            statement.setBytes(index, bytes);
        } else if (value instanceof BigDecimal decimal) {
            statement.setBigDecimal(index, decimal);
        } else {
            throw new IllegalArgumentException("cannot bind a " + value.getClass().getName() + " (MySqlRows makes values bindable)");
        }
    }
}
