package pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Several instances of the pipeline with identical settings, as replicas or a rolling deploy run them, against
 * the real servers: one polls each table (the others wait), the sinks share their consumer groups, and
 * whichever instance is killed, whenever, every row is in the topic, in MySQL and in S3 once. The stalls
 * after the kills are measured and printed.
 */
class SeveralInstancesIT extends OnTheTestStack {

    private static final Map<String, String> SESSION_TIMEOUT_OVERRIDE = System.getProperty("it.sink.session.timeout.ms") == null
            ? Map.of() : Map.of("sink.session.timeout.ms", System.getProperty("it.sink.session.timeout.ms"));

    private static void createTable(String table) throws Exception {
        try (Connection postgres = Tables.postgres(stack); Statement ddl = postgres.createStatement()) {
            ddl.execute("CREATE TABLE \"" + table + "\" (\"index\" BIGSERIAL PRIMARY KEY, \"name\" TEXT NOT NULL, "
                    + "\"timestamp\" TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'))");
        }
    }

    private static Map<String, String> settings(String table) {
        Map<String, String> settings = new HashMap<>(PipelineRunner.settingsFor(stack, table));
        settings.put("source.batch.max.rows", "500");
        settings.put("source.poll.interval.ms", "50");
        settings.put("source.leadership.check.interval.ms", "500");
        settings.put("source.leadership.lease.ms", "3000");
        return settings;
    }

    private static Map<String, String> sourceOnly(String table) throws Exception {
        createTable(table);
        Map<String, String> settings = settings(table);
        settings.put("mysql.enabled", "false");
        settings.put("s3.enabled", "false");
        return settings;
    }

    @Test
    void twoSourcesWithIdenticalSettingsSendEveryRowOnceWhileOneAfterTheOtherIsKilled() throws Exception {
        String table = "USERS_REPLICAS";
        Map<String, String> settings = sourceOnly(table);

        List<ChildPipeline> running = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        int inserted = 0;
        try (Connection postgres = Tables.postgres(stack); Statement insert = postgres.createStatement();
             Watch topic = Watch.every(100, topicSize("P_" + table))) {
            for (int i = 1; i <= 2; i++) {
                logs.add(ChildPipeline.logFile(table + "-" + i).toPath());
                running.add(ChildPipeline.start(settings, logs.get(i - 1)));
            }
            for (int kill = 0; kill < 4; kill++) {
                // rows keep arriving while both run; then the one polling (kills 1 and 3) or the other dies, and a new one starts
                long dieAt = System.currentTimeMillis() + 4_000;
                while (System.currentTimeMillis() < dieAt) {
                    insert.execute("INSERT INTO \"" + table + "\" (\"name\") SELECT 'row ' || g FROM generate_series(1, 100) g");
                    inserted += 100;
                    Thread.sleep(50);
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> polling(logs) >= 0);
                int leader = polling(logs);
                int victim = kill % 2 == 0 ? leader : 1 - leader;
                assertThat(running.get(victim).isAlive()).as("instance must still run when killed").isTrue();
                running.remove(victim).kill();
                logs.remove(victim);
                logs.add(ChildPipeline.logFile(table + "-" + (kill + 3)).toPath());
                running.add(ChildPipeline.start(settings, logs.get(1)));
            }
            System.out.printf("%s: longest time without a new record in the topic while rows streamed in: %d ms%n",
                    table, topic.longestStallMillis());
            while (inserted < 20_000) {
                insert.execute("INSERT INTO \"" + table + "\" (\"name\") SELECT 'row ' || g FROM generate_series(1, 1000) g");
                inserted += 1000;
            }
            int total = inserted;
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> TopicReader.readAll(stack.kafka().bootstrapServers(), "P_" + table).size() >= total);
            List<Long> indexes = TopicReader.readAll(stack.kafka().bootstrapServers(), "P_" + table).stream()
                    .map(TopicReader.Entry::index).toList();
            assertThat(indexes).hasSize(total).doesNotHaveDuplicates().isSorted();
            assertThat(indexes.get(total - 1)).isEqualTo((long) total);
        } finally {
            for (ChildPipeline instance : running) {
                instance.close();
            }
        }
    }

    /**
     * The instance polling the table stands still (SIGSTOP, as a long GC pause or a hung host) past its lease while
     * rows stream in: the other takes the table over and sends them; the old one then runs on (SIGCONT) unaware,
     * and can commit nothing (its producer is fenced, its lock gone). Every row once in the topic, in order.
     */
    @Test
    void aLeaderThatHangsPastItsLeaseAndWakesUpCommitsNothing() throws Exception {
        String table = "USERS_HUNG";
        Map<String, String> settings = sourceOnly(table);
        List<ChildPipeline> running = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        int inserted = 0;
        try (Connection postgres = Tables.postgres(stack); Statement insert = postgres.createStatement();
             Watch topic = Watch.every(100, topicSize("P_" + table))) {
            for (int i = 1; i <= 2; i++) {
                logs.add(ChildPipeline.logFile(table + "-" + i).toPath());
                running.add(ChildPipeline.start(settings, logs.get(i - 1)));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> started(logs) == 2 && polling(logs) >= 0);
            int leader = polling(logs);
            long start = System.currentTimeMillis();
            List<String> events = new ArrayList<>();
            while (System.currentTimeMillis() - start < 20_000) {
                insert.execute("INSERT INTO \"" + table + "\" (\"name\") SELECT 'row ' || g FROM generate_series(1, 100) g");
                inserted += 100;
                Thread.sleep(50);
                long elapsed = System.currentTimeMillis() - start;
                if (events.isEmpty() && elapsed > 4_000) {
                    running.get(leader).pause();
                    events.add("paused the polling instance at " + elapsed + " ms");
                } else if (events.size() == 1 && elapsed > 12_000) {
                    // well past source.leadership.lease.ms (3 s): the other instance polls the table by now
                    assertThat(polling(List.of(logs.get(1 - leader)))).as("the other instance took the table over").isZero();
                    running.get(leader).resume();
                    events.add("resumed it at " + elapsed + " ms");
                }
            }
            String event = String.join(", ", events);
            System.out.printf("%s: %s; longest time without a new record in the topic: %s%n", table, event, topic.longestStall(start));
            int total = inserted;
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> TopicReader.readAll(stack.kafka().bootstrapServers(), "P_" + table).size() >= total);
            Thread.sleep(2_000); // a duplicate from the woken instance would need a little longer to show
            List<Long> indexes = TopicReader.readAll(stack.kafka().bootstrapServers(), "P_" + table).stream()
                    .map(TopicReader.Entry::index).toList();
            assertThat(indexes).hasSize(total).doesNotHaveDuplicates().isSorted();
            assertThat(indexes.get(total - 1)).isEqualTo((long) total);
            // the woken instance learnt it no longer leads
            String woken = java.nio.file.Files.readString(logs.get(leader));
            assertThat(woken.lastIndexOf(" no longer polls ")).isGreaterThan(woken.lastIndexOf(" now polls "));
        } finally {
            for (ChildPipeline instance : running) {
                instance.close();
            }
        }
    }

    /**
     * Three instances of the packaged jar, every flow on, the topic with three partitions; the instance polling
     * the table is killed, then one that holds sink partitions, then a fourth instance starts.
     */
    @Test
    void threeInstancesOfTheJarKilledOneByOneWriteEveryRowOnceToTheTopicMySqlAndS3() throws Exception {
        String table = "USERS_TRIO";
        String topicName = "P_" + table;
        Map<String, String> settings = everyFlowOnThreePartitions(table);

        List<ChildPipeline> running = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        int inserted = 0;
        try (Connection postgres = Tables.postgres(stack); Statement insert = postgres.createStatement();
             Connection mysql = Tables.mysql(stack);
             Watch topic = Watch.every(100, topicSize(topicName));
             Watch rows = Watch.every(200, mysqlCount(mysql, topicName));
             Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafka().bootstrapServers()));
             Watch mysqlPartition0 = Watch.every(200, committed(admin, settings.get("mysql.group.id"), topicName, 0));
             Watch mysqlPartition1 = Watch.every(200, committed(admin, settings.get("mysql.group.id"), topicName, 1));
             Watch mysqlPartition2 = Watch.every(200, committed(admin, settings.get("mysql.group.id"), topicName, 2));
             Lake lake = new Lake(stack, TestStack.BUCKET)) {
            for (int i = 1; i <= 3; i++) {
                logs.add(ChildPipeline.logFile(table + "-" + i).toPath());
                running.add(ChildPipeline.startPackagedJar(settings, logs.get(i - 1)));
            }
            // three JVMs booting at once on a small machine take a while: the clock starts once all run
            await().atMost(Duration.ofSeconds(90)).until(() -> started(logs) == 3 && polling(logs) >= 0);
            long start = System.currentTimeMillis();
            List<String> events = new ArrayList<>();
            int next = 4;
            while (System.currentTimeMillis() - start < 45_000) {
                insert.execute("INSERT INTO \"" + table + "\" (\"name\") SELECT 'row ' || g FROM generate_series(1, 100) g");
                inserted += 100;
                Thread.sleep(100);
                long elapsed = System.currentTimeMillis() - start;
                if (events.isEmpty() && elapsed > 8_000) {
                    int leader = polling(logs);
                    assertThat(leader).as("one instance polls the table").isNotNegative();
                    logs.remove(leader);
                    killMidUpload(running.remove(leader));
                    events.add("killed the instance polling the table at " + elapsed + " ms");
                } else if (events.size() == 1 && elapsed > 24_000) {
                    // with three partitions per sink group, each instance holds sink partitions: kill one that does not poll
                    int sinkOnly = polling(logs) == 0 ? 1 : 0;
                    logs.remove(sinkOnly);
                    killMidUpload(running.remove(sinkOnly));
                    events.add("killed an instance holding sink partitions at " + elapsed + " ms");
                } else if (events.size() == 2 && elapsed > 38_000) {
                    logs.add(ChildPipeline.logFile(table + "-" + next++).toPath());
                    running.add(ChildPipeline.startPackagedJar(settings, logs.get(logs.size() - 1)));
                    events.add("started a fourth instance at " + elapsed + " ms");
                }
            }
            System.out.printf("%s: %s; longest time without a new record in the topic: %s; without a MySQL commit on "
                    + "partition 0: %s, 1: %s, 2: %s (sink.session.timeout.ms=%s)%n", table, events, topic.longestStall(start),
                    mysqlPartition0.longestStall(start), mysqlPartition1.longestStall(start), mysqlPartition2.longestStall(start),
                    settings.getOrDefault("sink.session.timeout.ms", "10000"));
            int total = inserted;
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> rows.latest() >= total && lake.recordCount("topics/" + topicName + "/") >= total);
            Thread.sleep(2_000); // a duplicate would need a little longer to show

            assertEveryRowOnce(topicName, total, mysql, lake);
        } finally {
            for (ChildPipeline instance : running) {
                instance.close();
            }
        }
    }

    /**
     * One instance of the jar, every flow, killed with SIGKILL and started again at once, twice, while rows stream
     * in: the new process gets the sinks' partitions back once the dead one's session ends (sink.session.timeout.ms,
     * 10 s), not after Kafka's default 45 s, and nothing is lost or repeated.
     */
    @Test
    void aSingleInstanceKilledAndRestartedGetsItsPartitionsBackAfterTheShortSessionTimeout() throws Exception {
        String table = "USERS_RELAUNCH";
        String topicName = "P_" + table;
        Map<String, String> settings = everyFlowOnThreePartitions(table);
        long sessionTimeout = Long.parseLong(settings.getOrDefault("sink.session.timeout.ms", "10000"));

        List<ChildPipeline> running = new ArrayList<>();
        int inserted = 0;
        try (Connection postgres = Tables.postgres(stack); Statement insert = postgres.createStatement();
             Connection mysql = Tables.mysql(stack);
             Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafka().bootstrapServers()));
             Lake lake = new Lake(stack, TestStack.BUCKET)) {
            Path log = ChildPipeline.logFile(table + "-1").toPath();
            running.add(ChildPipeline.startPackagedJar(settings, log));
            await().atMost(Duration.ofSeconds(60)).until(() -> started(List.of(log)) == 1);
            List<String> stalls = new ArrayList<>();
            for (int restart = 1; restart <= 2; restart++) {
                long until = System.currentTimeMillis() + 6_000;
                while (System.currentTimeMillis() < until) {
                    insert.execute("INSERT INTO \"" + table + "\" (\"name\") SELECT 'row ' || g FROM generate_series(1, 100) g");
                    inserted += 100;
                    Thread.sleep(100);
                }
                long killedAt = System.currentTimeMillis();
                killMidUpload(running.remove(0)); // a commit the dead process sent just before is in by now
                long mysqlBefore = committedTotal(admin, settings.get("mysql.group.id"), topicName);
                long s3Before = committedTotal(admin, settings.get("s3.group.id"), topicName);
                Path next = ChildPipeline.logFile(table + "-" + (restart + 1)).toPath();
                running.add(ChildPipeline.startPackagedJar(settings, next));
                // rows keep arriving; the clock stops at each sink's first commit past what it had committed at the kill
                long mysqlBack = 0;
                long s3Back = 0;
                while ((mysqlBack == 0 || s3Back == 0) && System.currentTimeMillis() - killedAt < 90_000) {
                    insert.execute("INSERT INTO \"" + table + "\" (\"name\") SELECT 'row ' || g FROM generate_series(1, 100) g");
                    inserted += 100;
                    Thread.sleep(100);
                    if (mysqlBack == 0 && committedTotal(admin, settings.get("mysql.group.id"), topicName) > mysqlBefore) {
                        mysqlBack = System.currentTimeMillis() - killedAt;
                    }
                    if (s3Back == 0 && committedTotal(admin, settings.get("s3.group.id"), topicName) > s3Before) {
                        s3Back = System.currentTimeMillis() - killedAt;
                    }
                }
                stalls.add(String.format("restart %d: MySQL committed again %,d ms after the kill, S3 %,d ms", restart, mysqlBack, s3Back));
                // the session timeout, plus the new JVM's start and a rebalance: far below the 45 s it would be by default
                assertThat(mysqlBack).as("MySQL back after restart %d", restart).isPositive().isLessThan(sessionTimeout + 20_000);
                assertThat(s3Back).as("S3 back after restart %d", restart).isPositive().isLessThan(sessionTimeout + 20_000);
            }
            System.out.printf("%s: one instance killed and started again (sink.session.timeout.ms=%d): %s%n", table, sessionTimeout, stalls);
            int total = inserted;
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> mysqlCount(mysql, topicName).getAsLong() >= total && lake.recordCount("topics/" + topicName + "/") >= total);
            Thread.sleep(2_000); // a duplicate would need a little longer to show
            assertEveryRowOnce(topicName, total, mysql, lake);
        } finally {
            for (ChildPipeline instance : running) {
                instance.close();
            }
        }
    }

    /**
     * SIGKILL of an instance whose S3 sink may be uploading: S3Proxy keeps the temporary file of an upload its client
     * abandoned, and listing the bucket then fails with HTTP 500 (real S3 never shows a partial upload), so it is
     * removed, as S3SinkIT's kill test does. An upload of a live instance that loses its file is retried by it.
     */
    private static void killMidUpload(ChildPipeline instance) throws Exception {
        instance.kill();
        Thread.sleep(300); // the server side of the cut upload has given up by now
        stack.s3().removeAbandonedUploads(TestStack.BUCKET);
    }

    /** A new table whose topic has three partitions, every flow on, S3 objects cut small and often. */
    private static Map<String, String> everyFlowOnThreePartitions(String table) throws Exception {
        createTable(table);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafka().bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("P_" + table, 3, (short) 1))).all().get();
        }
        Map<String, String> settings = settings(table);
        settings.put("s3.flush.size", "200");
        settings.put("s3.rotate.schedule.interval.ms", "500");
        settings.putAll(SESSION_TIMEOUT_OVERRIDE);
        return settings;
    }

    /**
     * Rows 1 to {@code total} once each in the topic and in S3 (both read whole), and every one of them in MySQL
     * (its upsert keeps one row per key, so there only completeness can be seen).
     */
    private static void assertEveryRowOnce(String topicName, int total, Connection mysql, Lake lake) throws Exception {
        List<Long> inTopic = TopicReader.readAll(stack.kafka().bootstrapServers(), topicName).stream()
                .map(TopicReader.Entry::index).toList();
        assertThat(inTopic).hasSize(total).doesNotHaveDuplicates();
        try (Statement query = mysql.createStatement();
             ResultSet rs = query.executeQuery("SELECT COUNT(*), MIN(`index`), MAX(`index`) FROM `" + topicName + "`")) {
            rs.next();
            assertThat(List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3))).containsExactly((long) total, 1L, (long) total);
        }
        Map<Long, Integer> copies = new HashMap<>();
        for (Lake.StoredObject object : lake.objects("topics/" + topicName + "/")) {
            object.lines().forEach(line -> copies.merge(line.get("index").asLong(), 1, Integer::sum));
        }
        assertThat(copies).hasSize(total);
        assertThat(copies.entrySet()).allSatisfy(e -> assertThat(e.getValue()).as("copies of row %d in S3", e.getKey()).isEqualTo(1));
    }

    /** What a consumer group has committed over every partition of the topic: it grows with each batch written. */
    private static long committedTotal(Admin admin, String group, String topic) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS).entrySet().stream()
                .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null).mapToLong(e -> e.getValue().offset()).sum();
    }

    private static long started(List<Path> logs) throws java.io.IOException {
        long started = 0;
        for (Path log : logs) {
            if (java.nio.file.Files.readString(log).contains("(kafka-pipeline) started in")) {
                started++;
            }
        }
        return started;
    }

    /**
     * The instance that waits shows its source as on standby: ready for Kubernetes, not pausable, and it
     * polls as soon as the other instance stops.
     */
    @Test
    void theWaitingInstanceShowsItsSourceOnStandbyIsReadyAndTakesOverWhenTheOtherStops() throws Exception {
        String table = "USERS_STANDBY";
        Map<String, String> settings = sourceOnly(table);
        Map<String, String> withConsole = new HashMap<>(settings);
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        withConsole.put("console.enabled", "true");
        withConsole.put("console.port", Integer.toString(port));
        String base = "http://127.0.0.1:" + port + "/";
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        PipelineRunner first = PipelineRunner.start(settings);
        try (PipelineRunner second = PipelineRunner.start(withConsole)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> get(http, base + "api/flows").contains("\"Standby\""));
            java.net.http.HttpResponse<String> ready = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(base + "health/ready")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            java.net.http.HttpResponse<String> pause = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(base + "api/flows/source-" + table + "/pause")).POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(pause.statusCode()).isEqualTo(400);
            assertThat(pause.body()).contains("standby");

            first.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> get(http, base + "api/flows").contains("\"Started\""));
            try (Connection postgres = Tables.postgres(stack); Statement insert = postgres.createStatement()) {
                insert.execute("INSERT INTO \"" + table + "\" (\"name\") SELECT 'row ' || g FROM generate_series(1, 10) g");
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> TopicReader.readAll(stack.kafka().bootstrapServers(), "P_" + table).size() == 10);
        } finally {
            first.close();
        }
    }

    private static String get(java.net.http.HttpClient http, String url) throws Exception {
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Which of the instances polls the table now, by what their logs last said about it; -1 if none. */
    private static int polling(List<Path> logs) throws java.io.IOException {
        for (int i = 0; i < logs.size(); i++) {
            String log = java.nio.file.Files.readString(logs.get(i));
            if (log.lastIndexOf(" now polls ") > log.lastIndexOf(" no longer polls ")) {
                return i;
            }
        }
        return -1;
    }

    /** The number of records (and transaction markers) in every partition of the topic: it grows with each commit. */
    private static LongSupplier topicSize(String topic) {
        Properties props = new Properties();
        props.put("bootstrap.servers", stack.kafka().bootstrapServers());
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        return () -> {
            synchronized (consumer) {
                List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
            }
        };
    }

    /** The MySQL sink's committed offset of one partition: it moves with every batch written there. */
    private static LongSupplier committed(Admin admin, String group, String topic, int partition) {
        TopicPartition tp = new TopicPartition(topic, partition);
        return () -> {
            try {
                var offset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS).get(tp);
                return offset == null ? 0 : offset.offset();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private static LongSupplier mysqlCount(Connection mysql, String table) {
        return () -> {
            synchronized (mysql) {
                try (Statement query = mysql.createStatement(); ResultSet rs = query.executeQuery("SELECT COUNT(*) FROM `" + table + "`")) {
                    rs.next();
                    return rs.getLong(1);
                } catch (java.sql.SQLException e) {
                    return 0; // the table is created by the sink's first batch
                }
            }
        };
    }

    /** Samples a growing number and keeps the longest time it stood still. */
    private static final class Watch implements AutoCloseable {

        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        private final LongSupplier value;
        private long last = -1;
        private long lastChange;
        private long longestStall;
        private long longestStallEnd;

        private Watch(LongSupplier value) {
            this.value = value;
        }

        static Watch every(long millis, LongSupplier value) {
            Watch watch = new Watch(value);
            watch.sampler.scheduleWithFixedDelay(watch::sample, 0, millis, TimeUnit.MILLISECONDS);
            return watch;
        }

        private synchronized void sample() {
            try {
                long now = System.currentTimeMillis();
                long current = value.getAsLong();
                if (current != last) {
                    // the first growth ends the start-up, which is not a stall
                    if (last > 0 && now - lastChange > longestStall) {
                        longestStall = now - lastChange;
                        longestStallEnd = now;
                    }
                    last = current;
                    lastChange = now;
                }
            } catch (RuntimeException e) {
                // a probe failing now and then is not the pipeline's stall
            }
        }

        /** The longest time the value stood still, counting a stall that has not ended yet. */
        synchronized long longestStallMillis() {
            return last > 0 ? Math.max(longestStall, System.currentTimeMillis() - lastChange) : longestStall;
        }

        /** "2,440 ms (ending 10,512 ms after the start)", counting a stall that has not ended yet. */
        synchronized String longestStall(long startMillis) {
            long now = System.currentTimeMillis();
            if (last > 0 && now - lastChange > longestStall) {
                return String.format("%,d ms (not ended %,d ms after the start)", now - lastChange, now - startMillis);
            }
            return String.format("%,d ms (ending %,d ms after the start)", longestStall, longestStallEnd - startMillis);
        }

        synchronized long latest() {
            return last;
        }

        @Override
        public void close() {
            sampler.shutdownNow();
        }
    }
}
