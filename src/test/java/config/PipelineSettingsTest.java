package config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

class PipelineSettingsTest {

    private static ParsedSettings parse(String... keyValues) {
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            given.put(keyValues[i], keyValues[i + 1]);
        }
        return PipelineSettings.parse(given::get);
    }

    @Test
    void nothingSetMeansEveryDeclaredDefaultTyped() {
        ParsedSettings settings = parse();
        assertThat(settings.intValue("s3.flush.size")).isEqualTo(5);
        assertThat(settings.longValue("s3.part.size")).isEqualTo(26_214_400L);
        assertThat(settings.list("mysql.topics")).containsExactly("P_USERS");
        assertThat(settings.list("mysql.pk.fields")).isEmpty();
        assertThat(settings.bool("source.validate.non.null")).isTrue();
        // a choice is read in lower case, as the flows compare it
        assertThat(settings.string("s3.timestamp.extractor")).isEqualTo("record");
        assertThat(settings.string("source.connection.password")).isEmpty();
    }

    @Test
    void givenValuesWinOverDefaultsAndAreTrimmed() {
        ParsedSettings settings = parse("s3.flush.size", " 1000 ", "mysql.topics", "A, B,,C ", "s3.timestamp.extractor", "RecordField",
                "s3.timestamp.field", "ts");
        assertThat(settings.intValue("s3.flush.size")).isEqualTo(1000);
        assertThat(settings.list("mysql.topics")).containsExactly("A", "B", "C");
        assertThat(settings.string("s3.timestamp.extractor")).isEqualTo("recordfield");
    }

    @Test
    void aBadValueStopsWithOneLineNamingTheSettingAndTheValue() {
        assertThatThrownBy(() -> parse("source.batch.max.rows", "abc"))
                .hasMessage("Invalid configuration: source.batch.max.rows = 'abc' must be a positive whole number");
        assertThatThrownBy(() -> parse("source.batch.max.rows", "0"))
                .hasMessage("Invalid configuration: source.batch.max.rows = '0' must be a positive whole number");
        assertThatThrownBy(() -> parse("source.mode", "often"))
                .hasMessage("Invalid configuration: source.mode = 'often' must be one of incrementing, timestamp, timestamp+incrementing, bulk");
        assertThatThrownBy(() -> parse("s3.rotate.interval.ms", "-1"))
                .hasMessage("Invalid configuration: s3.rotate.interval.ms = '-1' must be a whole number, zero or more");
        assertThatThrownBy(() -> parse("mysql.auto.create", "yes"))
                .hasMessage("Invalid configuration: mysql.auto.create = 'yes' must be true or false");
        assertThatThrownBy(() -> parse("s3.topics", " , "))
                .hasMessage("Invalid configuration: s3.topics = ',' must list at least one name");
        assertThatThrownBy(() -> parse("s3.part.size", "1024"))
                .hasMessage("Invalid configuration: s3.part.size = '1024' must be at least 5242880 (5 MiB), S3's smallest part");
        assertThatThrownBy(() -> parse("console.port", "80800"))
                .hasMessage("Invalid configuration: console.port = '80800' must be a port, 1 to 65535");
        assertThatThrownBy(() -> parse("generator.enabled", "true", "generator.table", "users; DROP TABLE x"))
                .hasMessageStartingWith("Invalid configuration: generator.table = 'users; DROP TABLE x' must be a plain table name");
    }

    @Test
    void combinationsOneSettingCannotSeeAreCheckedByTheirFlow() {
        assertThatThrownBy(() -> parse("mysql.insert.mode", "upsert", "mysql.pk.mode", "none"))
                .hasMessage("Invalid configuration: mysql.insert.mode=upsert needs a key: set mysql.pk.mode");
        assertThatThrownBy(() -> parse("s3.format", "avro", "s3.compression.type", "gzip"))
                .hasMessageStartingWith("Invalid configuration: s3.compression.type = 'gzip' applies to s3.format=json only");
        assertThatThrownBy(() -> parse("s3.partitioner", "time", "s3.timezone", "Mars/Olympus"))
                .hasMessageStartingWith("Invalid configuration: s3.timezone = 'Mars/Olympus' is not a time zone");
        assertThatThrownBy(() -> parse("sink.session.timeout.ms", "6000", "sink.heartbeat.interval.ms", "3000"))
                .hasMessage("Invalid configuration: sink.heartbeat.interval.ms = '3000' must be at most a third of sink.session.timeout.ms (6000)");
        assertThatThrownBy(() -> parse("source.leadership.check.interval.ms", "10000"))
                .hasMessageStartingWith("Invalid configuration: source.leadership.lease.ms = '10000' must be more than source.leadership.check.interval.ms");
        assertThatThrownBy(() -> parse("source.table.whitelist", ""))
                .hasMessage("Invalid configuration: source.table.whitelist must list at least one name (or set source.query)");
        assertThat(parse("source.table.whitelist", "", "source.query", "SELECT 1").string("source.query")).isEqualTo("SELECT 1");
    }

    @Test
    void aFlowThatIsOffIsNotCheckedNorRead() {
        ParsedSettings settings = parse("s3.enabled", "false", "s3.flush.size", "lots", "source.enabled", "false");
        assertThat(settings.has("s3.flush.size")).isFalse();
        assertThat(settings.has("source.connection.url")).isFalse();
        assertThatThrownBy(() -> settings.intValue("s3.flush.size")).isInstanceOf(IllegalStateException.class);
        // the generator writes to the source's database: its connection is read when either is on
        ParsedSettings generatorAlone = parse("source.enabled", "false", "generator.enabled", "true");
        assertThat(generatorAlone.string("source.connection.url")).isEqualTo("jdbc:postgresql://localhost:5432/postgres");
        assertThat(generatorAlone.has("source.mode")).isFalse();
    }

    @Test
    void secretsAreNamedButNeverShown() {
        SettingsDefinition definition = new SettingsDefinition("test")
                .define("test.password", SettingsDefinition.Type.PASSWORD, null, Rules.NOT_EMPTY, "a secret");
        assertThatThrownBy(() -> definition.parse(name -> "")).hasMessage("Invalid configuration: test.password must not be empty");
        assertThatThrownBy(() -> definition.parse(name -> null)).hasMessage("Invalid configuration: test.password is missing");
        // a setting named like a secret is hidden even when it is plain text
        assertThatThrownBy(() -> new SettingsDefinition("test").define("console.token", SettingsDefinition.Type.STRING, "",
                Rules.rule("short", value -> value.toString().length() < 4, "must be short"), "")
                .parse(name -> "hunter2")).hasMessage("Invalid configuration: console.token must be short");
    }

    @Test
    void aNameIsDeclaredOnceInThePipeline() {
        Set<String> seen = new HashSet<>();
        for (SettingsDefinition definition : PipelineSettings.DEFINITIONS) {
            for (SettingsDefinition.Setting setting : definition.settings()) {
                assertThat(seen.add(setting.name())).as("%s declared twice", setting.name()).isTrue();
                assertThat(setting.doc()).as("doc of %s", setting.name()).isNotBlank();
                // every default is itself a valid value
                setting.parse(null);
            }
        }
        PipelineSettings.FLOWS.forEach(flow -> assertThat(seen).contains(flow.enabledBy()));
    }

    @Test
    void misspeltSettingsAreReportedWithTheNearestName() {
        Map<String, String> unknown = PipelineSettings.unknown(new TreeSet<>(List.of("mysql.insert.mod", "s3.flush.size",
                "kafka.client.security.protocol", "camel.main.name", "my.own.placeholder", "source.snapshot.mode.thing.else")));
        assertThat(unknown).containsOnlyKeys("mysql.insert.mod", "source.snapshot.mode.thing.else");
        assertThat(unknown.get("mysql.insert.mod")).isEqualTo("is not a setting of the pipeline: did you mean mysql.insert.mode?");
        assertThat(unknown.get("source.snapshot.mode.thing.else")).isEqualTo("is not a setting of the pipeline (route files may still use it)");
    }

    @Test
    void routeFilePlaceholdersResolveToTheDeclaredDefaultsUnlessSet() throws Exception {
        System.setProperty("s3.batch.max.records", "250");
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.start();
            assertThat(context.resolvePropertyPlaceholders("{{s3.flush.size}}")).isEqualTo("5");
            assertThat(context.resolvePropertyPlaceholders("{{errors.deadletterqueue.topic.name}}")).isEqualTo("kafka-pipeline-dlq");
            // anything set wins (here a JVM system property, as -Ds3.batch.max.records=250 would)
            assertThat(context.resolvePropertyPlaceholders("{{s3.batch.max.records}}")).isEqualTo("250");
        } finally {
            System.clearProperty("s3.batch.max.records");
        }
    }

    /**
     * Every placeholder the route files, application.properties and the Java routes use is a declared setting or a
     * parameter its route template declares; every template parameter is a setting of the flow's kind, without the
     * prefix ({@code topics}: {@code mysql.topics}), or one of the few that say which table or which beans.
     */
    @Test
    void everyPlaceholderOfTheRouteFilesIsDeclared() throws IOException {
        Set<String> ownParameters = Set.of("flow", "table", "topic", "capture", "queryParameters", "leadership");
        Map<String, String> kindOfFile = Map.of("source.yaml", "source", "mysql-sink.yaml", "mysql", "s3-sink.yaml", "s3");
        // a name, not Java that builds one ("{{" + key + "}}")
        Pattern placeholder = Pattern.compile("\\{\\{([^}:?\" +]+)}}");
        Pattern parameter = Pattern.compile("- name: ([\\w.]+)");
        List<Path> files;
        try (Stream<Path> routes = Files.list(Path.of("src/main/resources/routes"));
             Stream<Path> java = Files.walk(Path.of("src/main/java")).filter(file -> file.toString().endsWith(".java"))) {
            files = Stream.of(routes, java, Stream.of(Path.of("src/main/resources/application.properties")))
                    .flatMap(paths -> paths).toList();
        }
        Set<String> used = new TreeSet<>();
        Set<String> everyParameter = new TreeSet<>();
        for (Path file : files) {
            String text = Files.readString(file);
            Set<String> parameters = new TreeSet<>();
            Matcher declared = parameter.matcher(text);
            while (declared.find()) {
                parameters.add(declared.group(1));
            }
            String kind = kindOfFile.get(file.getFileName().toString());
            parameters.stream().filter(name -> !ownParameters.contains(name)).forEach(name -> assertThat(kind)
                    .as(file + " declares template parameter " + name).isNotNull()
                    .satisfies(k -> assertThat(PipelineSettings.setting(k + "." + name)).as(k + "." + name).isPresent()));
            everyParameter.addAll(parameters);
            Matcher matcher = placeholder.matcher(text);
            while (matcher.find()) {
                String name = matcher.group(1).trim();
                if (!parameters.contains(name)) {
                    used.add(name);
                }
            }
        }
        assertThat(everyParameter).contains("flow", "topics", "group.id", "poll.interval.ms");
        // the Java routes' comments may show a template's parameters
        used.removeAll(everyParameter);
        assertThat(used).isNotEmpty().allSatisfy(name -> assertThat(PipelineSettings.setting(name)).as(name).isPresent());
    }

    /** The README's table is printed from the definitions: a setting changed here and not there fails. */
    @Test
    void theReadmeListsEverySettingAsDeclared() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String begin = "<!-- settings: printed by PipelineSettings.markdownTable(); PipelineSettingsTest checks it -->\n";
        String end = "<!-- end of settings -->";
        int from = readme.indexOf(begin);
        int to = readme.indexOf(end);
        String expected = PipelineSettings.markdownTable();
        if (from < 0 || to < 0 || !readme.substring(from + begin.length(), to).equals(expected)) {
            Path printed = Path.of("target/settings-table.md");
            Files.writeString(printed, expected);
            throw new AssertionError("README.md's settings table (between '" + begin.strip() + "' and '" + end
                    + "') differs from the declared settings: replace it with " + printed.toAbsolutePath());
        }
    }
}
