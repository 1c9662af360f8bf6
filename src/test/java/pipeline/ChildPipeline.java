package pipeline;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import localstack.EmbeddedS3;

/**
 * The application in a child JVM, so a test can kill it with SIGKILL at any moment, as a crash or an
 * OOM killer would. Settings are passed as -D system properties, which override application.properties.
 */
public final class ChildPipeline implements AutoCloseable {

    private final Process process;
    private boolean paused;

    private ChildPipeline(Process process) {
        this.process = process;
    }

    static ChildPipeline start(Map<String, String> settings, Path log) throws Exception {
        return start(command(settings, List.of("-Xmx512m")), log);
    }

    /**
     * The jar that {@code mvn verify} packages before the integration tests, as it ships: a Camel component
     * that only the tests bring along (camel-direct, once) stops it as it would in production. It leaves
     * the embedded servers out, so it runs against the test stack. (It boots in about 4 s against 1.5 s from
     * the class path, so the SIGKILL tests, whose kills are timed, keep the class path.)
     */
    static ChildPipeline startPackagedJar(Map<String, String> settings, Path log) throws Exception {
        Path jar = Path.of("target", "kafka-pipeline.jar");
        if (!jar.toFile().isFile()) {
            throw new IllegalStateException(jar + " is missing: run the integration tests with mvn verify, which packages it first");
        }
        return start(command(settings, List.of("-Xmx512m"), jar.toAbsolutePath().toString()), log);
    }

    private static ChildPipeline start(List<String> command, Path log) throws Exception {
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        return new ChildPipeline(process);
    }

    /** The java command line of the application on this JVM's class path, pointed at the embedded S3 with its keys. */
    public static List<String> command(Map<String, String> settings, List<String> jvmOptions) {
        return command(settings, jvmOptions, System.getProperty("java.class.path"));
    }

    private static List<String> command(Map<String, String> settings, List<String> jvmOptions, String classPath) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Daws.accessKeyId=" + EmbeddedS3.ACCESS_KEY);
        command.add("-Daws.secretAccessKey=" + EmbeddedS3.SECRET_KEY);
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-cp");
        command.add(classPath);
        command.add("routes.PipelineApplication");
        return command;
    }

    /** SIGKILL: no shutdown hook, no flush, no commit. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGSTOP: the process stands still, as in a long GC pause or a hung host, holding its sockets open. */
    void pause() throws Exception {
        signal("STOP");
        paused = true;
    }

    /** SIGCONT: it runs on from where it stood, unaware of the time that passed. */
    void resume() throws Exception {
        signal("CONT");
        paused = false;
    }

    private void signal(String name) throws Exception {
        int exit = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " exited with " + exit);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Its exit code once it ended within {@code timeout}; null if it still runs. */
    Integer exitCodeWithin(java.time.Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    @Override
    public void close() throws Exception {
        if (paused && process.isAlive()) {
            resume(); // a stopped process would not hear SIGTERM until it runs again
        }
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    static File logFile(String name) {
        File dir = new File("target/child-logs");
        dir.mkdirs();
        return new File(dir, name + ".log");
    }
}
