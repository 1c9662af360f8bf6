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

    private ChildPipeline(Process process) {
        this.process = process;
    }

    static ChildPipeline start(Map<String, String> settings, Path log) throws Exception {
        Process process = new ProcessBuilder(command(settings, List.of("-Xmx512m")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        return new ChildPipeline(process);
    }

    /**
     * The java command line of the application, pointed at the embedded S3 with its keys: the jar that
     * {@code mvn verify} packages before the integration tests (so a component that only the tests bring
     * along, such as camel-direct once was, fails here as it would in production). A local run (profile
     * local, its own embedded servers, which the jar leaves out) and a test started from an IDE, with no
     * jar, use this JVM's class path.
     */
    public static List<String> command(Map<String, String> settings, List<String> jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Daws.accessKeyId=" + EmbeddedS3.ACCESS_KEY);
        command.add("-Daws.secretAccessKey=" + EmbeddedS3.SECRET_KEY);
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        Path jar = Path.of("target", "kafka-pipeline.jar");
        boolean localRun = "local".equals(settings.get("camel.main.profile")) || "true".equals(settings.get("local.stack.enabled"));
        command.add("-cp");
        command.add(jar.toFile().isFile() && !localRun ? jar.toAbsolutePath().toString() : System.getProperty("java.class.path"));
        command.add("routes.PipelineApplication");
        return command;
    }

    /** SIGKILL: no shutdown hook, no flush, no commit. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
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
