package generator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

import javax.sql.DataSource;

import net.datafaker.Faker;
import progress.PipelineProgress;
import source.TableQuery;

/** Inserts realistic fake customers into the source table, creating it if missing. */
public class FakeUsers {

    private static final String COLUMNS = "(\"job\", \"company\", \"ssn\", \"residence\", \"username\", \"name\", \"sex\", "
            + "\"address\", \"mail\", \"birthdate\", \"timestamp\")";

    private final DataSource dataSource;
    private final String table;
    private final PipelineProgress progress;
    private final Faker faker = new Faker();

    public FakeUsers(DataSource dataSource, String table, PipelineProgress progress) {
        this.dataSource = dataSource;
        this.table = TableQuery.quote(table);
        this.progress = progress;
    }

    public void createTableIfMissing() throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + table + " ("
                    + "\"index\" BIGSERIAL PRIMARY KEY, \"job\" TEXT, \"company\" TEXT, \"ssn\" TEXT, \"residence\" TEXT, "
                    + "\"username\" TEXT, \"name\" TEXT, \"sex\" TEXT, \"address\" TEXT, \"mail\" TEXT, "
                    + "\"birthdate\" DATE, \"timestamp\" TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'))");
        }
    }

    /** Inserts {@code count} users in one statement. */
    public void insert(int count) throws SQLException {
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(' ').append(COLUMNS).append(" VALUES ");
        for (int i = 0; i < count; i++) {
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            int p = 1;
            LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
            for (int i = 0; i < count; i++) {
                String first = faker.name().firstName();
                String last = faker.name().lastName();
                statement.setString(p++, faker.job().title());
                statement.setString(p++, faker.company().name());
                statement.setString(p++, faker.idNumber().ssnValid());
                statement.setString(p++, faker.address().fullAddress());
                statement.setString(p++, faker.internet().username());
                statement.setString(p++, first + " " + last);
                statement.setString(p++, faker.bool().bool() ? "F" : "M");
                statement.setString(p++, faker.address().fullAddress());
                statement.setString(p++, faker.internet().emailAddress(first.toLowerCase() + "." + last.toLowerCase()));
                statement.setObject(p++, faker.timeAndDate().birthday(18, 90));
                statement.setObject(p++, now);
            }
            statement.executeUpdate();
        }
        progress.add("generator rows", count);
    }

}
