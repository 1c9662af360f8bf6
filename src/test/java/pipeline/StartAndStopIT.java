package pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The application as a person starts and stops it, in a child JVM of its own: `mvn compile camel:run`
 * (the local profile, which starts its own embedded stack) stopped by a signal, and the jar started while
 * Kafka cannot be reached. Each reads the child's whole output, as a person reads the terminal.
 */
class StartAndStopIT {

    private static final Pattern STACK_FRAME = Pattern.compile("(?m)^\\s+at [\\w.$]+\\(");
    private static final Pattern MYSQL_ROWS = Pattern.compile("mysql-sink written (\\d+)");

    @Test
    void theLocalRunStopsWithinSecondsOnSigintWithoutAStackTraceAndRemovesItsFolder() throws Exception {
        stopsCleanly("INT");
    }

    @Test
    void theLocalRunStopsWithinSecondsOnSigtermWithoutAStackTraceAndRemovesItsFolder() throws Exception {
        stopsCleanly("TERM");
    }

    /**
     * The generator inserts 500 rows a second, so polls and batches are in flight at the signal: the
     * embedded servers must still be up until the routes have stopped (they used to stop at once, from
     * shutdown hooks of their own, and the run then took 20 s and logged 13 stack traces).
     */
    private static void stopsCleanly(String signal) throws Exception {
        Path stackDir = Path.of("target", "stop-test-stack").toAbsolutePath();
        Path log = ChildPipeline.logFile("local-run-" + signal).toPath();
        Files.deleteIfExists(log);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("camel.main.profile", "local"); // what camel:run sets (pom.xml)
        settings.put("local.stack.dir", stackDir.toString());
        settings.put("console.port", Integer.toString(freePort()));
        settings.put("generator.rate.per.second", "200");
        // a poll, and with it a connection from the pool, every 50 ms: one is sure to start while the stop is under way
        settings.put("source.poll.interval.ms", "50");
        settings.put("progress.log.interval.ms", "500");
        Process child = new ProcessBuilder(ChildPipeline.command(settings, List.of("-Xmx512m")))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.currentTimeMillis() + 120_000;
            while (mysqlRows(Files.readString(log, StandardCharsets.UTF_8)) < 400) {
                assertThat(child.isAlive()).as("the local run must start; its output: %s", log).isTrue();
                assertThat(System.currentTimeMillis()).as("rows must reach MySQL within 120 s; see %s", log).isLessThan(deadline);
                Thread.sleep(200);
            }
            Path runDir = stackDir.resolve("run-" + child.pid());
            assertThat(runDir).isDirectory();
            int beforeSignal = Files.readString(log, StandardCharsets.UTF_8).length();

            long signalled = System.nanoTime();
            new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid())).inheritIO().start().waitFor();
            boolean exited = child.waitFor(15, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - signalled) / 1e9;
            String afterSignal = Files.readString(log, StandardCharsets.UTF_8).substring(beforeSignal);
            System.out.printf("StartAndStopIT: SIG%s stopped the local run in %.1f s%n", signal, seconds);

            assertThat(exited).as("stopped within 15 s of SIG%s; output after it:%n%s", signal, afterSignal).isTrue();
            assertThat(seconds).as("seconds to stop").isLessThan(10);
            assertThat(STACK_FRAME.matcher(afterSignal).find()).as("a stack trace after SIG%s:%n%s", signal, afterSignal).isFalse();
            assertThat(errorLines(afterSignal)).as("ERROR lines after SIG%s", signal).isEmpty();
            assertThat(afterSignal).doesNotContain("Forcing shutdown").doesNotContain("Forced stopped");
            assertThat(runDir).as("the run's folder").doesNotExist();
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void withKafkaUnreachableTheJarStopsWithinItsTimeoutWithOneLineNamingTheSettingAndExitCode1() throws Exception {
        Path log = ChildPipeline.logFile("kafka-unreachable").toPath();
        Files.deleteIfExists(log);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("kafka.bootstrap.servers", "127.0.0.1:" + freePort()); // nothing listens there
        settings.put("kafka.startup.timeout.ms", "3000");
        settings.put("generator.enabled", "false");
        settings.put("source.enabled", "false"); // no database needed to reach the Kafka check
        settings.put("mysql.enabled", "false");
        settings.put("s3.enabled", "false");
        settings.put("console.port", Integer.toString(freePort()));
        long started = System.nanoTime();
        Process child = new ProcessBuilder(ChildPipeline.command(settings, List.of("-Xmx256m")))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the pipeline must stop by itself").isTrue();
            double seconds = (System.nanoTime() - started) / 1e9;
            String output = Files.readString(log, StandardCharsets.UTF_8);
            System.out.printf("StartAndStopIT: Kafka unreachable, stopped after %.1f s with exit code %d%n", seconds, child.exitValue());
            assertThat(child.exitValue()).isEqualTo(1);
            List<String> errors = errorLines(output);
            assertThat(errors).as("the ERROR lines").hasSize(1);
            assertThat(errors.get(0)).contains("kafka.bootstrap.servers = '" + settings.get("kafka.bootstrap.servers") + "'")
                    .contains("kafka.startup.timeout.ms");
            assertThat(STACK_FRAME.matcher(output).find()).as("a stack trace in:%n%s", output).isFalse();
        } finally {
            child.destroyForcibly();
        }
    }

    private static long mysqlRows(String output) {
        long rows = 0;
        Matcher matcher = MYSQL_ROWS.matcher(output);
        while (matcher.find()) {
            rows = Long.parseLong(matcher.group(1));
        }
        return rows;
    }

    private static List<String> errorLines(String output) {
        List<String> lines = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.contains(" ERROR ")) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
