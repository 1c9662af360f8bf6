package pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The source killed with SIGKILL again and again during a large insert: the topic must hold every row exactly once. */
class SourceExactlyOnceIT extends OnTheTestStack {

    @Test
    void killedWithSigkillDuringALargeInsertTheTopicHoldsEveryRowExactlyOnce() throws Exception {
        String table = "USERS_KILL";
        int rows = 20_000;
        int kills = 5;
        try (Connection postgres = Tables.postgres(stack); Statement ddl = postgres.createStatement()) {
            ddl.execute("CREATE TABLE \"" + table + "\" (\"index\" BIGSERIAL PRIMARY KEY, \"name\" TEXT NOT NULL, "
                    + "\"timestamp\" TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'))");
        }
        Map<String, String> settings = new HashMap<>(PipelineRunner.settingsFor(stack, table));
        settings.put("mysql.enabled", "false");
        settings.put("s3.enabled", "false");
        settings.put("source.batch.max.rows", "500");
        settings.put("source.poll.interval.ms", "50");

        Random random = new Random(42);
        java.nio.file.Path log = ChildPipeline.logFile(table).toPath();
        int inserted = 0;
        try (Connection postgres = Tables.postgres(stack); Statement insert = postgres.createStatement()) {
            for (int kill = 0; kill < kills; kill++) {
                ChildPipeline child = ChildPipeline.start(settings, log);
                // rows keep arriving while the child starts, reads and publishes; then it dies mid-stream
                long dieAt = System.currentTimeMillis() + 4_000 + random.nextInt(3_000);
                while (System.currentTimeMillis() < dieAt) {
                    insert.execute("INSERT INTO \"" + table + "\" (\"name\") SELECT 'row ' || g FROM generate_series(1, 200) g");
                    inserted += 200;
                    Thread.sleep(100);
                }
                assertThat(child.isAlive()).as("child %d must still be running when killed", kill).isTrue();
                child.kill();
            }
            while (inserted < rows) {
                insert.execute("INSERT INTO \"" + table + "\" (\"name\") SELECT 'row ' || g FROM generate_series(1, 1000) g");
                inserted += 1000;
            }
        }
        int total = inserted;
        try (ChildPipeline last = ChildPipeline.start(settings, log)) {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> TopicReader.readAll(stack.kafka().bootstrapServers(), "P_" + table).size() >= total);
            List<Long> indexes = TopicReader.readAll(stack.kafka().bootstrapServers(), "P_" + table).stream()
                    .map(TopicReader.Entry::index).toList();
            assertThat(indexes).hasSize(total).doesNotHaveDuplicates();
            assertThat(indexes).isSorted();
            assertThat(indexes.get(0)).isEqualTo(1L);
            assertThat(indexes.get(total - 1)).isEqualTo((long) total);
        }
    }
}
