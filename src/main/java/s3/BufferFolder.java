package s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This run's folder for objects being written: {@code <s3.buffer.dir>/run-<pid>}, removed when the
 * pipeline stops. Folders of runs that died (kill -9) are removed at start; what they held was never
 * committed, so it is read from Kafka again.
 */
public final class BufferFolder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BufferFolder.class);
    private static final String RUN_PREFIX = "run-";

    private final Path path;

    public BufferFolder(Path base) {
        try {
            Files.createDirectories(base);
            try (Stream<Path> runs = Files.list(base)) {
                runs.filter(BufferFolder::isDeadRun).forEach(BufferFolder::deleteTree);
            }
            this.path = Files.createDirectories(base.resolve(RUN_PREFIX + ProcessHandle.current().pid()));
        } catch (IOException e) {
            throw new UncheckedIOException("s3.buffer.dir: cannot create a folder in " + base + ": " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    private static boolean isDeadRun(Path folder) {
        String name = folder.getFileName().toString();
        if (!name.startsWith(RUN_PREFIX)) {
            return false;
        }
        try {
            long pid = Long.parseLong(name.substring(RUN_PREFIX.length()));
            return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void deleteTree(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            LOG.warn("Could not remove the old S3 buffer folder {}: {}", folder, e.getMessage());
        }
    }

    @Override
    public void close() {
        deleteTree(path);
    }
}
