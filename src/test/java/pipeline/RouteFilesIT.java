package pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import generator.FakeUsers;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar with a folder of route files (routes.dir), as the README tells a user to make one: a copy of a
 * bundled file taken out of the jar and edited runs instead of the bundled one, an extra file runs beside them;
 * and a route file with an error stops the jar at start-up with one line naming it, before anything connects.
 */
class RouteFilesIT {

    private static final Path JAR = Path.of("target", "kafka-pipeline.jar");

    /** {@code unzip kafka-pipeline.jar 'routes/*'}: the bundled route file {@code name}, as the jar holds it. */
    private static String bundled(String name) throws Exception {
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            ZipEntry entry = jar.getEntry("routes/" + name);
            assertThat(entry).as("routes/" + name + " in the jar").isNotNull();
            try (InputStream content = jar.getInputStream(entry)) {
                return new String(content.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
    }

    @Test
    void anEditedCopyOfABundledFileRunsInsteadOfItAndAnExtraFileBesideThem() throws Exception {
        var stack = TestStack.get();
        String table = "ROUTES_DIR";
        Path folder = Files.createDirectories(Path.of("target", "routes-dir-it", "routes"));
        String audit = "audit_" + table;
        // an edited copy: the MySQL sink logs each batch it maps, a step the bundled file does not have
        String mysqlSink = bundled("mysql-sink.yaml");
        String mapStep = "        - bean:\n              ref: \"{{flow}}Rows\"\n              method: fromBatch\n";
        assertThat(mysqlSink).contains(mapStep);
        Files.writeString(folder.resolve("mysql-sink.yaml"), mysqlSink.replace(mapStep,
                mapStep + "          - log: \"edited mysql-sink.yaml: ${body.size} groups to write\"\n"));
        // an extra file: every record of the topic copied to another topic
        Files.writeString(folder.resolve("audit.yaml"), """
                - route:
                    id: audit
                    from:
                      uri: "kafka:P_%s"
                      parameters:
                        brokers: "{{kafka.bootstrap.servers}}"
                        groupId: audit-%s
                        autoOffsetReset: earliest
                      steps:
                        - to: "kafka:%s?brokers={{kafka.bootstrap.servers}}"
                """.formatted(table, table, audit));
        org.postgresql.ds.PGSimpleDataSource postgres = new org.postgresql.ds.PGSimpleDataSource();
        postgres.setUrl(stack.postgres().jdbcUrl());
        postgres.setUser(localstack.EmbeddedPostgreSql.USER);
        FakeUsers.createTableIfMissing(postgres, table);
        Map<String, String> settings = PipelineRunner.settingsFor(stack, table);
        settings.put("routes.dir", folder.toAbsolutePath().toString());
        Path log = ChildPipeline.logFile("routes-dir").toPath();
        Files.deleteIfExists(log);
        try (Connection mysql = Tables.mysql(stack); Connection source = Tables.postgres(stack);
             ChildPipeline child = ChildPipeline.startPackagedJar(settings, log)) {
            Tables.insertFakeUsers(source, table, 50);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .failFast("the jar stopped; see " + log, () -> !child.isAlive())
                    .until(() -> Tables.count(mysql, "`P_" + table + "`") == 50
                            && Records.readAllBytes(stack.kafka().bootstrapServers(), audit).size() == 50);
            Tables.assertSameRows(Tables.rows(mysql, "`P_" + table + "`"), Tables.rows(source, "\"" + table + "\""));
        }
        String output = Files.readString(log);
        assertThat(output).contains("Route files: classpath:routes/generator.yaml, file:" + folder.toAbsolutePath().resolve("mysql-sink.yaml")
                + ", classpath:routes/s3-sink.yaml, classpath:routes/source.yaml, file:" + folder.toAbsolutePath().resolve("audit.yaml"));
        assertThat(output).contains("edited mysql-sink.yaml: ").contains("Started audit (kafka://P_" + table + ")");
    }

    @Test
    void aRouteFileWithAnErrorStopsStartUpWithOneLineBeforeAnythingConnects() throws Exception {
        Path folder = Files.createDirectories(Path.of("target", "routes-dir-it", "broken"));
        Path broken = folder.resolve("audit.yaml").toAbsolutePath();
        Files.writeString(broken, "- route:\n    from:\n      uri: timer:audit\n      steps:\n        - log: hi\n        - too: log:y\n");
        Path log = ChildPipeline.logFile("routes-dir-broken").toPath();
        Files.deleteIfExists(log);
        // nothing listens on these: a connection attempt would wait out kafka.startup.timeout.ms or fail naming them
        Map<String, String> settings = new java.util.LinkedHashMap<>(Map.of("routes.dir", folder.toString(),
                "kafka.bootstrap.servers", "127.0.0.1:9", "kafka.startup.timeout.ms", "60000",
                "source.connection.url", "jdbc:postgresql://127.0.0.1:9/none", "console.enabled", "false"));
        try (ChildPipeline child = ChildPipeline.startPackagedJar(settings, log)) {
            // within less than the Kafka wait: it never tried Kafka
            assertThat(child.exitCodeWithin(Duration.ofSeconds(40))).as("exit code; see " + log).isEqualTo(1);
        }
        List<String> errors = Files.readAllLines(log).stream().filter(line -> line.contains("ERROR")).toList();
        assertThat(errors).singleElement().asString().endsWith("kafka-pipeline cannot start: Invalid route file " + broken
                + ", line 6, column 11: Unknown node id: too");
        assertThat(Files.readString(log)).doesNotContain("Connected to").doesNotContain("Connection to node");
    }

    @Test
    void aRouteThatOnlyCamelCanFindWrongStopsStartUpWithOneLineNamingItsFile() throws Exception {
        var stack = TestStack.get();
        Path folder = Files.createDirectories(Path.of("target", "routes-dir-it", "no-bean"));
        Path file = folder.resolve("audit.yaml").toAbsolutePath();
        Files.writeString(file, "- route:\n    id: audit\n    from:\n      uri: timer:audit\n      steps:\n"
                + "        - bean:\n            ref: auditBean\n");
        Path log = ChildPipeline.logFile("routes-dir-no-bean").toPath();
        Files.deleteIfExists(log);
        Map<String, String> settings = PipelineRunner.settingsFor(stack, "ROUTES_DIR_NO_BEAN");
        settings.put("routes.dir", folder.toString());
        settings.put("source.enabled", "false"); // no such table: the sinks connect, then the route is created
        try (ChildPipeline child = ChildPipeline.startPackagedJar(settings, log)) {
            assertThat(child.exitCodeWithin(Duration.ofSeconds(60))).as("exit code; see " + log).isEqualTo(1);
        }
        List<String> errors = Files.readAllLines(log).stream().filter(line -> line.contains("ERROR")).toList();
        assertThat(errors).last().asString().contains("kafka-pipeline cannot start: Route audit (" + file + ", line 1) cannot be created: ")
                .contains("auditBean");
    }
}
