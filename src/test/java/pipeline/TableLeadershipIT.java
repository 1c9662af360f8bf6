package pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import localstack.EmbeddedPostgreSql;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import source.TableLeadership;

/**
 * Two instances' leadership services against the real PostgreSQL: one leads a table at a time, and the other
 * takes over when the leader stops, when the server ends its session, and when it stays silent past its lease.
 */
class TableLeadershipIT extends OnTheTestStack {

    private final DefaultCamelContext context = new DefaultCamelContext();

    @AfterEach
    void stopContext() {
        context.stop();
    }

    private TableLeadership instance(String name, long checkMs, long leaseMs) throws Exception {
        Properties credentials = new Properties();
        credentials.setProperty("user", EmbeddedPostgreSql.USER);
        credentials.setProperty("password", "");
        credentials.setProperty("ApplicationName", "leadership-test " + name);
        TableLeadership leadership = new TableLeadership(name,
                () -> DriverManager.getConnection(stack.postgres().jdbcUrl(), credentials), checkMs, leaseMs);
        leadership.setCamelContext(context);
        context.addService(leadership, true, true);
        return leadership;
    }

    private static CamelClusterView view(TableLeadership leadership, String namespace) throws Exception {
        return leadership.getView(namespace);
    }

    @Test
    void oneInstanceLeadsATableAndAnotherTakesOverWhenItStops() throws Exception {
        context.start();
        TableLeadership first = instance("first", 200, 10_000);
        view(first, "stop-USERS");
        await().atMost(Duration.ofSeconds(5)).until(() -> first.isLeader("stop-USERS"));
        TableLeadership second = instance("second", 200, 10_000);
        CamelClusterView secondView = view(second, "stop-USERS");
        // a table already led is not taken, however long the other waits
        Thread.sleep(1_000);
        assertThat(second.isLeader("stop-USERS")).isFalse();
        assertThat(secondView.getLeader()).isEmpty();
        // another table is free: the second instance leads it at once
        view(second, "stop-ORDERS");
        await().atMost(Duration.ofSeconds(5)).until(() -> second.isLeader("stop-ORDERS"));

        first.stop();
        await().atMost(Duration.ofSeconds(2)).until(() -> second.isLeader("stop-USERS"));
        assertThat(first.isLeader("stop-USERS")).isFalse();
        assertThat(secondView.getLocalMember().isLeader()).isTrue();
    }

    @Test
    void aLeaderWhoseSessionTheServerEndsLosesTheTableAndAnotherTakesItOver() throws Exception {
        context.start();
        TableLeadership first = instance("killed", 200, 10_000);
        view(first, "kill-USERS");
        await().atMost(Duration.ofSeconds(5)).until(() -> first.isLeader("kill-USERS"));
        TableLeadership second = instance("survivor", 200, 10_000);
        view(second, "kill-USERS");
        try (Connection postgres = Tables.postgres(stack); Statement statement = postgres.createStatement()) {
            statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'leadership-test killed'");
        }
        await().atMost(Duration.ofSeconds(3)).until(() -> second.isLeader("kill-USERS"));
        await().atMost(Duration.ofSeconds(3)).until(() -> !first.isLeader("kill-USERS"));
    }

    /** A leader that hangs (here: checks far apart) loses its lock after its lease, before it even notices. */
    @Test
    void aLeaderSilentPastItsLeaseLosesTheTable() throws Exception {
        context.start();
        TableLeadership silent = instance("silent", 4_000, 1_000);
        view(silent, "lease-USERS");
        await().atMost(Duration.ofSeconds(5)).until(() -> silent.isLeader("lease-USERS"));
        long since = System.nanoTime();
        TableLeadership other = instance("other", 100, 10_000);
        view(other, "lease-USERS");
        await().atMost(Duration.ofSeconds(3)).until(() -> other.isLeader("lease-USERS"));
        // the server ended the silent session after about a second, well before its next check
        assertThat(Duration.ofNanos(System.nanoTime() - since)).isLessThan(Duration.ofMillis(3_500));
        await().atMost(Duration.ofSeconds(6)).until(() -> !silent.isLeader("lease-USERS"));
    }

    /**
     * Six tables, instances coming and going: the tables spread (2-2-2 with three, 3-3 with two), each is polled by
     * exactly one instance at every reading, and a stopped instance's tables move to the others.
     */
    @Test
    void theTablesSpreadOverTheInstancesAsTheyComeAndGo() throws Exception {
        context.start();
        List<String> tables = List.of("spread-A", "spread-B", "spread-C", "spread-D", "spread-E", "spread-F");
        TableLeadership first = instance("first", 200, 10_000);
        for (String table : tables) {
            view(first, table);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> polled(first, tables) == 6);

        TableLeadership second = instance("second", 200, 10_000);
        for (String table : tables) {
            view(second, table);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> polled(first, tables) == 3 && polled(second, tables) == 3);
        TableLeadership third = instance("third", 200, 10_000);
        for (String table : tables) {
            view(third, table);
        }
        List<TableLeadership> three = List.of(first, second, third);
        await().atMost(Duration.ofSeconds(10)).until(() -> three.stream().allMatch(i -> polled(i, tables) == 2));
        // settled: nothing moves any more, and no table has two leaders or none
        for (int reading = 0; reading < 10; reading++) {
            for (String table : tables) {
                assertThat(three.stream().filter(i -> i.isLeader(table)).count()).as(table).isEqualTo(1);
            }
            Thread.sleep(100);
        }
        assertThat(three.stream().map(i -> polled(i, tables))).containsExactly(2, 2, 2);

        second.stop();
        await().atMost(Duration.ofSeconds(5)).until(() -> polled(first, tables) + polled(third, tables) == 6);
        await().atMost(Duration.ofSeconds(10)).until(() -> polled(first, tables) == 3 && polled(third, tables) == 3);
    }

    /** An instance that has a table the others do not know polls it, even when it already polls more than they do. */
    @Test
    void aTableOnlyOneInstanceKnowsIsPolledThere() throws Exception {
        context.start();
        TableLeadership few = instance("few", 200, 10_000);
        view(few, "known-A");
        await().atMost(Duration.ofSeconds(5)).until(() -> few.isLeader("known-A"));
        TableLeadership many = instance("many", 200, 10_000);
        for (String table : List.of("known-A", "known-B", "known-C", "known-D")) {
            view(many, table);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> polled(many, List.of("known-B", "known-C", "known-D")) == 3);
        Thread.sleep(1_000);
        // the one they share stays where it is (the other instance has no table of "many" to take)
        assertThat(few.isLeader("known-A")).isTrue();
        assertThat(many.isLeader("known-A")).isFalse();
    }

    /** A take-over whose first step fails (Kafka unreachable as it fences the old leader) lets the table go and is tried again. */
    @Test
    void aFailedTakeOverLetsTheTableGoAndIsTriedAgain() throws Exception {
        context.start();
        TableLeadership leadership = instance("retrying", 200, 10_000);
        java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
        leadership.beforeLeading("retry-USERS", () -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("Kafka unreachable");
            }
        });
        CamelClusterView view = view(leadership, "retry-USERS");
        List<Boolean> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        view.addEventListener((org.apache.camel.cluster.CamelClusterEventListener.Leadership) (v, leader) -> told.add(leader != null));
        await().atMost(Duration.ofSeconds(5)).until(() -> attempts.get() >= 2 && leadership.isLeader("retry-USERS"));
        // after the state Camel reports to a new listener, the route was told once: after the take-over that worked
        await().atMost(Duration.ofSeconds(2)).until(() -> told.size() >= 2);
        Thread.sleep(500);
        assertThat(told.subList(1, told.size())).containsExactly(true);
    }

    /** A leader whose route stays stopped (its start failed: Kafka away from it) lets the table go to one whose route runs. */
    @Test
    void aLeaderWhoseRouteCannotStartLetsTheTableGo() throws Exception {
        context.start();
        TableLeadership stuck = instance("stuck", 200, 10_000);
        stuck.routeRuns("stuck-USERS", () -> false);
        view(stuck, "stuck-USERS");
        await().atMost(Duration.ofSeconds(5)).until(() -> stuck.isLeader("stuck-USERS"));
        TableLeadership healthy = instance("healthy", 200, 10_000);
        healthy.routeRuns("stuck-USERS", () -> true);
        view(healthy, "stuck-USERS");
        await().atMost(Duration.ofSeconds(10)).until(() -> healthy.isLeader("stuck-USERS"));
        assertThat(stuck.isLeader("stuck-USERS")).isFalse();
        // the healthy one keeps it: its route runs
        Thread.sleep(2_000);
        assertThat(healthy.isLeader("stuck-USERS")).isTrue();
    }

    private static int polled(TableLeadership leadership, List<String> tables) {
        return (int) tables.stream().filter(leadership::isLeader).count();
    }
}
