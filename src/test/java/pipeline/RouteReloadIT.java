package pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import generator.FakeUsers;
import org.junit.jupiter.api.Test;

/**
 * Route files saved while the pipeline runs (routes.reload=true, as under mvn compile camel:run), with rows
 * streaming in: each saved file restarts the routes it made and only those, a file with an error is refused
 * and changes nothing (one the check cannot fault, naming a bean that does not exist, is refused when its routes
 * are made, and the routes before it run again), and every row ends in the topic, MySQL and S3 exactly once.
 */
class RouteReloadIT {

    private static final String TABLE = "USERS_RELOAD";
    private static final int ROWS = 2_000;

    @Test
    void savedRouteFilesRestartTheirOwnRoutesWithNoRowLostOrRepeated() throws Exception {
        var stack = TestStack.get();
        Path folder = Path.of("target", "route-reload-it").toAbsolutePath();
        if (Files.isDirectory(folder)) {
            try (Stream<Path> old = Files.list(folder)) {
                for (Path file : old.toList()) {
                    Files.delete(file);
                }
            }
        }
        Files.createDirectories(folder);
        try (Stream<Path> bundled = Files.list(Path.of("src/main/resources/routes"))) {
            for (Path file : bundled.toList()) {
                Files.copy(file, folder.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        org.postgresql.ds.PGSimpleDataSource postgres = new org.postgresql.ds.PGSimpleDataSource();
        postgres.setUrl(stack.postgres().jdbcUrl());
        postgres.setUser(localstack.EmbeddedPostgreSql.USER);
        FakeUsers.createTableIfMissing(postgres, TABLE);
        Map<String, String> settings = PipelineRunner.settingsFor(stack, TABLE);
        settings.put("routes.dir", folder.toString());
        settings.put("routes.reload", "true");
        settings.put("source.batch.max.rows", "50");
        settings.put("mysql.batch.size", "50");
        settings.put("s3.flush.size", "40");
        Path log = ChildPipeline.logFile("route-reload").toPath();
        Files.deleteIfExists(log);
        String mysqlTable = "`P_" + TABLE + "`";
        try (Lake lake = new Lake(stack, TestStack.BUCKET); Connection mysql = Tables.mysql(stack);
             Connection source = Tables.postgres(stack); ChildPipeline child = ChildPipeline.start(settings, log)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(log) && Files.readString(log).contains("are reloaded when saved"));
            int inserted = 0;
            long startedAt = System.nanoTime();
            while (inserted < ROWS) {
                Tables.insertFakeUsers(source, TABLE, 25);
                inserted += 25;
                long second = (System.nanoTime() - startedAt) / 1_000_000_000L;
                // one file saved every few seconds while rows stream in
                if (inserted == 400) {
                    edit(folder.resolve("mysql-sink.yaml"), "        - bean:\n              ref: \"{{flow}}Rows\"\n              method: fromBatch\n",
                            "          - log: \"edited mysql-sink.yaml: ${body.size} groups\"\n");
                } else if (inserted == 800) {
                    edit(folder.resolve("source.yaml"), "          - filter:\n", "              # saved while rows stream in\n");
                } else if (inserted == 1200) {
                    edit(folder.resolve("s3-sink.yaml"), "          - bean:\n              ref: \"{{flow}}Batches\"\n              method: commitOffsets\n",
                            "          # saved while rows stream in\n");
                } else if (inserted == 1600) {
                    Files.writeString(folder.resolve("generator.yaml"), "- route:\n    from:\n      uri: timer:x\n      steps:\n        - too: log:y\n");
                } else if (inserted == 1800) {
                    // well-formed, but names a bean that does not exist: only creating the route finds it
                    edit(folder.resolve("mysql-sink.yaml"), "              method: prepareTables\n",
                            "          - bean:\n              ref: noSuchBean\n              method: go\n");
                }
                Thread.sleep(second < 60 ? 200 : 0);
            }
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .failFast("the pipeline stopped; see " + log, () -> !child.isAlive())
                    .until(() -> Tables.count(mysql, mysqlTable) == ROWS && lake.recordCount("topics/P_" + TABLE + "/") >= ROWS);
            Tables.assertSameRows(Tables.rows(mysql, mysqlTable), Tables.rows(source, "\"" + TABLE + "\""));
            List<Long> topic = TopicReader.readAll(stack.kafka().bootstrapServers(), "P_" + TABLE).stream().map(TopicReader.Entry::index).toList();
            assertThat(topic).hasSize(ROWS).doesNotHaveDuplicates();
            List<Long> lakeIndexes = lake.objects("topics/P_" + TABLE + "/").stream()
                    .flatMap(object -> object.lines().stream()).map(line -> line.path("index").asLong()).toList();
            assertThat(lakeIndexes).hasSize(ROWS).doesNotHaveDuplicates();
        }
        String output = Files.readString(log);
        assertThat(output).contains("routes mysql-sink, mysql-sink-rows restarted").contains("routes source-" + TABLE + " restarted")
                .contains("routes s3-sink, s3-uploads restarted").contains("edited mysql-sink.yaml: ");
        assertThat(output).contains(folder.resolve("generator.yaml") + " not reloaded, its routes keep running as they were: "
                + "Invalid route file " + folder.resolve("generator.yaml") + ", line 5, column 11: Unknown node id: too");
        // the save naming a missing bean: refused, and the MySQL sink ran on as before it (every row is in MySQL)
        assertThat(output).contains(folder.resolve("mysql-sink.yaml") + " not reloaded, its routes run as before the save: ")
                .contains("noSuchBean");
        // each save restarted its own routes only, once
        assertThat(output.lines().filter(line -> line.contains("Reloaded ")).toList()).hasSize(3);
    }

    /** Saves {@code file} with {@code added} after {@code anchor}, as an editor would. */
    private static void edit(Path file, String anchor, String added) throws Exception {
        String text = Files.readString(file);
        assertThat(text).as(file.toString()).contains(anchor);
        Files.writeString(file, text.replace(anchor, anchor + added));
    }
}
