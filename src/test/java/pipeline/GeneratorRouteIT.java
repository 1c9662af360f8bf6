package pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import routes.PipelineApplication;

/**
 * The route file routes/generator.yaml on its own (the other flows off), booted by camel-test-main as the
 * application boots it, against the test stack's real PostgreSQL: every second it must insert
 * generator.rate.per.second complete users through camel-sql, in one batch.
 */
@CamelMainTest(mainClass = PipelineApplication.class)
class GeneratorRouteIT {

    private static final String TABLE = "GENERATED";
    private static final int RATE = 25;
    // known only once the stack runs: given as system properties, which win over application.properties
    private static Map<String, String> settings;

    @BeanInject
    CamelContext context;

    @BeforeAll
    static void pointAtTheTestStack() throws Exception {
        settings = RouteFileSettings.alone("generator", Map.of("generator.enabled", "true", "generator.table", TABLE,
                "generator.rate.per.second", Integer.toString(RATE)));
    }

    @AfterAll
    static void forgetTheSettings() {
        RouteFileSettings.forget(settings);
    }

    @Test
    void everySecondInsertsTheConfiguredNumberOfCompleteUsersInOneBatch() throws Exception {
        assertThat(context.getRoute("generator")).as("the route of routes/generator.yaml").isNotNull();
        NotifyBuilder threeBatches = new NotifyBuilder(context).fromRoute("generator").whenCompleted(3).create();
        assertThat(threeBatches.matches(20, TimeUnit.SECONDS)).as("three timer ticks").isTrue();
        context.getRouteController().stopRoute("generator"); // a steady count to check

        List<LocalDateTime> stamps = new ArrayList<>();
        Set<String> ssns = new HashSet<>();
        try (Connection postgres = Tables.postgres(TestStack.get()); Statement query = postgres.createStatement();
             ResultSet rows = query.executeQuery("SELECT * FROM \"" + TABLE + "\" ORDER BY \"index\"")) {
            while (rows.next()) {
                for (String column : Tables.TEXT_COLUMNS) {
                    assertThat(rows.getString(column)).as(column).isNotBlank();
                }
                assertThat(rows.getObject("birthdate", java.time.LocalDate.class)).isBefore(java.time.LocalDate.now().minusYears(17));
                stamps.add(rows.getObject("timestamp", LocalDateTime.class));
                ssns.add(rows.getString("ssn"));
            }
        }
        assertThat(stamps.size()).as("rows: whole batches of " + RATE).isGreaterThanOrEqualTo(3 * RATE).matches(n -> n % RATE == 0);
        // a batch shares one time stamp, to the millisecond, in UTC
        for (int batch = 0; batch < stamps.size() / RATE; batch++) {
            assertThat(new HashSet<>(stamps.subList(batch * RATE, (batch + 1) * RATE))).hasSize(1);
        }
        assertThat(Duration.between(stamps.get(stamps.size() - 1), LocalDateTime.now(ZoneOffset.UTC)).abs())
                .isLessThan(Duration.ofMinutes(1));
        assertThat(stamps.get(0).getNano() % 1_000_000).isZero();
        assertThat(ssns.size()).as("distinct users").isGreaterThan(stamps.size() * 9 / 10);
    }
}
