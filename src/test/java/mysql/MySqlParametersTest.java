package mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The MySQL sink binds each value with its own type's setter, and refuses a wrong number of values. */
class MySqlParametersTest {

    /** A PreparedStatement that only records the setter calls it gets. */
    private static PreparedStatement recording(List<String> calls) {
        return (PreparedStatement) Proxy.newProxyInstance(MySqlParametersTest.class.getClassLoader(), new Class<?>[] {PreparedStatement.class},
                (proxy, method, args) -> {
                    calls.add(method.getName() + Arrays.toString(args));
                    return null;
                });
    }

    @Test
    void eachValueIsBoundWithItsOwnSetter() throws Exception {
        List<String> calls = new ArrayList<>();
        List<Object> values = Arrays.asList(7L, "Ann", null, 1.5, true, new BigDecimal("12.30"));
        new MySqlParameters().populateStatement(recording(calls), values.iterator(), values.size());
        assertThat(calls).containsExactly("setLong[1, 7]", "setString[2, Ann]", "setNull[3, 0]", "setDouble[4, 1.5]",
                "setBoolean[5, true]", "setBigDecimal[6, 12.30]");
    }

    @Test
    void nothingInTheStatementIsTakenForAParameterName() throws Exception {
        // column names a record may bring: camel-sql's default reads :?b as a named parameter and evaluates :?${...}
        String sql = "INSERT INTO `T` (`a:?b`, `x:?${camelContext.name}`) VALUES (?, ?)";
        List<Object> row = Arrays.asList("one", null);
        java.util.Iterator<?> values = new MySqlParameters().createPopulateIterator(sql, sql, 2, null, row);
        List<Object> bound = new ArrayList<>();
        values.forEachRemaining(bound::add);
        assertThat(bound).containsExactly("one", null);
    }

    @Test
    void aWrongNumberOfValuesIsAnError() {
        List<Object> two = List.of(1L, 2L);
        assertThatThrownBy(() -> new MySqlParameters().populateStatement(recording(new ArrayList<>()), two.iterator(), 3))
                .isInstanceOf(SQLException.class).hasMessageContaining("Expected: 3, was: 2");
        assertThatThrownBy(() -> new MySqlParameters().populateStatement(recording(new ArrayList<>()), two.iterator(), 1))
                .isInstanceOf(SQLException.class).hasMessageContaining("Expected: 1");
        assertThatThrownBy(() -> MySqlParameters.bind(recording(new ArrayList<>()), 1, new Object()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
