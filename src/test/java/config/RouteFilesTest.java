package config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which route files run (bundled, and a folder's instead of or beside them), and a bad one named in one line. */
class RouteFilesTest {

    private static final String BUNDLED = "classpath:routes/*.yaml";
    private final DefaultCamelContext context = new DefaultCamelContext();

    @TempDir
    Path folder;

    @AfterEach
    void stop() {
        context.stop();
    }

    @Test
    void theBundledRouteFilesRunAndCanBeRead() {
        List<String> locations = RouteFiles.locations(context, BUNDLED, "");
        assertThat(locations).containsExactly("classpath:routes/generator.yaml", "classpath:routes/mysql-sink.yaml",
                "classpath:routes/s3-sink.yaml", "classpath:routes/source.yaml");
        RouteFiles.check(context, locations);
    }

    @Test
    void aFolderFileReplacesTheBundledFileOfItsNameAndOthersRunBeside() throws Exception {
        Files.writeString(folder.resolve("mysql-sink.yaml"), "- route:\n    from:\n      uri: timer:edited\n      steps:\n        - log: edited\n");
        Files.writeString(folder.resolve("audit.yaml"), "- route:\n    from:\n      uri: timer:audit\n      steps:\n        - log: extra\n");
        Files.writeString(folder.resolve("notes.txt"), "not a route file");
        List<String> locations = RouteFiles.locations(context, BUNDLED, folder.toString());
        assertThat(locations).containsExactly("classpath:routes/generator.yaml", "file:" + folder.resolve("mysql-sink.yaml"),
                "classpath:routes/s3-sink.yaml", "classpath:routes/source.yaml", "file:" + folder.resolve("audit.yaml"));
        RouteFiles.check(context, locations);
    }

    @Test
    void aRoutesDirThatIsNoFolderIsNamed() {
        assertThatThrownBy(() -> RouteFiles.locations(context, BUNDLED, folder.resolve("missing").toString()))
                .hasMessage("Invalid configuration: routes.dir = '" + folder.resolve("missing") + "' is not a folder");
    }

    @Test
    void aRouteFileWithAnErrorIsNamedWithItsLineAndProblemInOneLine() throws Exception {
        Path syntax = folder.resolve("syntax.yaml");
        Files.writeString(syntax, "- route:\n    from:\n      uri: timer:x\n      steps:\n        - log: hi\n       - to: log:y\n");
        assertThatThrownBy(() -> RouteFiles.check(context, List.of("file:" + syntax)))
                .hasMessage("Invalid route file " + syntax + ", line 6, column 8: expected <block end>, but found '<block sequence start>'");

        Path unknownStep = folder.resolve("step.yaml");
        Files.writeString(unknownStep, "- route:\n    from:\n      uri: timer:x\n      steps:\n        - log: hi\n        - too: log:y\n");
        assertThatThrownBy(() -> RouteFiles.check(context, List.of("file:" + unknownStep)))
                .hasMessage("Invalid route file " + unknownStep + ", line 6, column 11: Unknown node id: too");

        Path unknownField = folder.resolve("field.yaml");
        Files.writeString(unknownField, "- route:\n    from:\n      uri: timer:x\n      steps:\n        - log:\n            mesage: hi\n");
        assertThatThrownBy(() -> RouteFiles.check(context, List.of("file:" + unknownField)))
                .hasMessageStartingWith("Invalid route file " + unknownField + ", line ")
                .hasMessageContaining("mesage")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void anEndpointOptionItsComponentLacksOrAComponentTheBuildLacksIsNamedWithItsLine() throws Exception {
        Path option = folder.resolve("option.yaml");
        Files.writeString(option, "- route:\n    from:\n      uri: kafka:P_USERS\n      parameters:\n        brokers: localhost:9092\n"
                + "        groupid: audit\n      steps:\n        - log: hi\n");
        assertThatThrownBy(() -> RouteFiles.check(context, List.of("file:" + option)))
                .hasMessage("Invalid route file " + option + ", line 3: the kafka endpoint has no option 'groupid' (did you mean groupId?)");

        Path inUri = folder.resolve("uri.yaml");
        Files.writeString(inUri, "- route:\n    from:\n      uri: timer:tick\n      steps:\n        - log: hi\n"
                + "        - to: \"kafka:audit?brokers={{kafka.bootstrap.servers}}&lingerMS=5\"\n");
        assertThatThrownBy(() -> RouteFiles.check(context, List.of("file:" + inUri)))
                .hasMessage("Invalid route file " + inUri + ", line 6: the kafka endpoint has no option 'lingerMS' (did you mean lingerMs?)");

        Path component = folder.resolve("component.yaml");
        Files.writeString(component, "- route:\n    from:\n      uri: timer:tick\n      steps:\n        - to: nosuch:thing\n");
        assertThatThrownBy(() -> RouteFiles.check(context, List.of("file:" + component)))
                .hasMessage("Invalid route file " + component + ", line 5: no component 'nosuch' in this build (endpoint nosuch:thing); "
                        + "add it to the pom and build the jar again");

        Path placeholder = folder.resolve("placeholder.yaml");
        Files.writeString(placeholder, "- route:\n    from:\n      uri: timer:tick\n      steps:\n"
                + "        - to: \"kafka:{{audit.topic}}?brokers={{kafka.bootstrap.servers}}\"\n");
        assertThatThrownBy(() -> RouteFiles.check(context, List.of("file:" + placeholder)))
                .hasMessageStartingWith("Invalid route file " + placeholder + ", line 5: Property with key [audit.topic] not found");

        // in a route template, an option named by a placeholder is only known once it is made
        Path template = folder.resolve("template.yaml");
        Files.writeString(template, "- routeTemplate:\n    id: t\n    parameters:\n      - name: option\n    route:\n      from:\n"
                + "        uri: \"kafka:{{topic}}?{{option}}=1&groupId=g\"\n        steps:\n          - log: hi\n");
        RouteFiles.check(context, List.of("file:" + template));
    }

    /** The README's example of a route of one's own for each record reads as a route file. */
    @Test
    void theReadmesRecordRouteIsARouteFile() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int at = readme.indexOf("    id: mysql-record");
        String yaml = readme.substring(readme.lastIndexOf("```yaml\n", at) + "```yaml\n".length(), readme.indexOf("```", at));
        Path file = folder.resolve("mysql-record.yaml");
        Files.writeString(file, yaml);
        RouteFiles.check(context, List.of("file:" + file));
    }
}
