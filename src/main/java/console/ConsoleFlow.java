package console;

import static config.SettingsDefinition.Type.BOOLEAN;
import static config.SettingsDefinition.Type.INT;
import static config.SettingsDefinition.Type.PASSWORD;
import static config.SettingsDefinition.Type.STRING;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.sql.DataSource;

import config.ConfigurationException;
import config.FlowSetup;
import config.ParsedSettings;
import config.PipelineFlow;
import config.Rules;
import config.SettingsDefinition;
import mysql.MySqlSinkFlow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import s3.S3Objects;
import s3.S3SinkFlow;
import software.amazon.awssdk.services.s3.S3Client;
import source.SourceFlow;

/**
 * The console, health and metrics (routes.ConsoleRoute, on Camel Main's HTTP server): its settings, and the
 * console bean, which learns the flows from the routes and asks each system they use whether it answers.
 */
public final class ConsoleFlow implements PipelineFlow {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleFlow.class);

    public static final String CONSOLE = "pipelineConsole";

    public static final SettingsDefinition SETTINGS = new SettingsDefinition("Web console, health and metrics", "console.enabled")
            .define("console.enabled", BOOLEAN, "true", "serve the console page, its JSON API (`/api/...`), `/health/live`, "
                    + "`/health/ready` and `/metrics`")
            .define("console.host", STRING, "127.0.0.1", Rules.NOT_EMPTY,
                    "the address to listen on: 127.0.0.1 keeps it on this machine; 0.0.0.0 exposes it (set console.token then)")
            .define("console.port", INT, "8080", Rules.rule("a port, 1 to 65535", port -> (Integer) port >= 1 && (Integer) port <= 65535,
                    "must be a port, 1 to 65535"), "its port")
            .define("console.token", PASSWORD, "",
                    "when set, pausing and resuming a flow needs this token (header `X-Console-Token`); secret, never shown");

    @Override
    public String name() {
        return "console";
    }

    @Override
    public void start(FlowSetup setup) {
        ParsedSettings settings = setup.settings();
        String host = settings.string("console.host");
        int port = settings.intValue("console.port");
        requireFreePort(host, port);
        Map<String, PipelineConsole.SystemCheck> systems = new LinkedHashMap<>();
        DataSource postgres = setup.lookup(SourceFlow.DATA_SOURCE, DataSource.class);
        if (settings.bool("source.enabled") && postgres != null) {
            systems.put("postgresql", () -> checkDatabase(postgres));
        }
        String mysqlTable = null;
        DataSource mysql = setup.lookup(MySqlSinkFlow.NAME + MySqlSinkFlow.DATA_SOURCE, DataSource.class);
        if (mysql != null) {
            mysqlTable = settings.string("mysql.table.name.format").replace("${topic}", settings.list("mysql.topics").get(0));
            systems.put("mysql", () -> checkDatabase(mysql));
        }
        S3Objects s3Objects = setup.lookup(S3SinkFlow.NAME + S3SinkFlow.OBJECTS, S3Objects.class);
        if (s3Objects != null) {
            S3Client client = setup.lookup(S3SinkFlow.NAME + S3SinkFlow.CLIENT, S3Client.class);
            String bucket = settings.string("s3.bucket.name");
            systems.put("s3", () -> client.headBucket(r -> r.bucket(bucket)));
        }
        // a stray space around the token in a file or variable must not become part of it
        String token = settings.string("console.token").trim();
        // each step's exchanges, counted from the routes' creation on (they are created after this)
        StepCounts stepCounts = new StepCounts();
        setup.context().getCamelContextExtension().addInterceptStrategy(stepCounts);
        PipelineConsole console = setup.closeAtStop(new PipelineConsole(setup.context(), setup.progress(), setup.kafkaClient(),
                new PipelineConsole.Layout(mysqlTable), mysql, s3Objects, token, systems, stepCounts));
        setup.bind(CONSOLE, console);
        LOG.info("Console on http://{}:{}/ (health /health/live and /health/ready, metrics /metrics){}", host, port,
                token.isEmpty() ? "" : "; pause and resume need console.token");
    }

    /**
     * Vert.x only warns when it cannot bind and the pipeline would run without its console, health and
     * metrics: a busy port stops start-up instead, naming the property.
     */
    private static void requireFreePort(String host, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new ConfigurationException("console.port", Integer.toString(port),
                    "cannot be used on " + host + " (" + e.getMessage() + "): another program listens there; choose another port or console.enabled=false");
        }
    }

    private static void checkDatabase(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            if (!connection.isValid(2)) {
                throw new SQLException("connection not valid");
            }
        }
    }
}
