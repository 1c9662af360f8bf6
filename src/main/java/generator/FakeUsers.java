package generator;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import net.datafaker.Faker;
import source.TableQuery;

/**
 * Realistic fake customers for the source table: the generator route (routes/generator.yaml) inserts
 * what {@link #next(int)} makes with camel-sql. Creates the table at start-up if it is missing.
 */
public class FakeUsers {

    /**
     * What generator.table may be: the route puts it into its INSERT statement (as a quoted identifier), where
     * nothing can bind it as a parameter, so only plain names are taken.
     */
    public static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    private final Faker faker = new Faker();

    /** Creates the table the route inserts into, unless it exists, on the source database. */
    public static void createTableIfMissing(DataSource dataSource, String table) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + TableQuery.quote(table) + " ("
                    + "\"index\" BIGSERIAL PRIMARY KEY, \"job\" TEXT, \"company\" TEXT, \"ssn\" TEXT, \"residence\" TEXT, "
                    + "\"username\" TEXT, \"name\" TEXT, \"sex\" TEXT, \"address\" TEXT, \"mail\" TEXT, "
                    + "\"birthdate\" DATE, \"timestamp\" TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'))");
        }
    }

    /** {@code count} fake users, each a map from column name to value, all stamped with the same time (UTC). */
    public List<Map<String, Object>> next(int count) {
        LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
        List<Map<String, Object>> users = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String first = faker.name().firstName();
            String last = faker.name().lastName();
            Map<String, Object> user = new LinkedHashMap<>();
            user.put("job", faker.job().title());
            user.put("company", faker.company().name());
            user.put("ssn", faker.idNumber().ssnValid());
            user.put("residence", faker.address().fullAddress());
            user.put("username", faker.internet().username());
            user.put("name", first + " " + last);
            user.put("sex", faker.bool().bool() ? "F" : "M");
            user.put("address", faker.address().fullAddress());
            user.put("mail", faker.internet().emailAddress(first.toLowerCase() + "." + last.toLowerCase()));
            user.put("birthdate", faker.timeAndDate().birthday(18, 90));
            user.put("timestamp", now);
            users.add(user);
        }
        return users;
    }
}
