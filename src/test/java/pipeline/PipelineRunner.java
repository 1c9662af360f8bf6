package pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

import localstack.LocalStack;
import org.apache.camel.main.Main;
import routes.PipelineApplication;

/**
 * Runs the real application (Camel Main, application.properties, the routes of package routes) against
 * the test stack; a test overrides only connection settings and names that keep tests apart.
 */
final class PipelineRunner implements AutoCloseable {

    private final Main main;

    private PipelineRunner(Main main) {
        this.main = main;
    }

    /** Settings for one test: its own table, topic, consumer groups, offsets topic and transactional ids. */
    static Map<String, String> settingsFor(LocalStack stack, String table) {
        Map<String, String> props = new LinkedHashMap<>(stack.connectionProperties());
        props.put("s3.bucket.name", TestStack.BUCKET);
        props.put("source.table.whitelist", table);
        props.put("source.offsets.topic", "offsets_" + table);
        props.put("source.transactional.id.prefix", "tx_" + table);
        props.put("mysql.topics", "P_" + table);
        props.put("mysql.group.id", "mysql_" + table);
        props.put("s3.topics", "P_" + table);
        props.put("s3.group.id", "s3_" + table);
        props.put("errors.deadletterqueue.topic.name", "dlq_" + table);
        props.put("generator.enabled", "false");
        props.put("console.enabled", "false"); // ConsoleIT turns it on, on a free port
        props.put("source.poll.interval.ms", "200");
        props.put("s3.rotate.schedule.interval.ms", "1000");
        return props;
    }

    static PipelineRunner start(Map<String, String> settings) throws Exception {
        Main main = new Main(PipelineApplication.class);
        settings.forEach(main::addOverrideProperty);
        main.start();
        return new PipelineRunner(main);
    }

    /**
     * Starts the pipeline expecting start-up to fail, and returns the message that names the property: the
     * deepest IllegalStateException or IllegalArgumentException of the failure (the pipeline's own start-up
     * errors), or the deepest cause if there is none.
     */
    static String startUpFailure(Map<String, String> settings) {
        try {
            start(settings).close();
        } catch (Throwable e) {
            Throwable named = null;
            Throwable cause = e;
            for (; cause != null; cause = cause.getCause()) {
                if (cause instanceof IllegalStateException || cause instanceof IllegalArgumentException) {
                    named = cause;
                }
                if (cause.getCause() == null) {
                    break;
                }
            }
            return (named != null ? named : cause).getMessage();
        }
        throw new AssertionError("start-up should have failed");
    }

    /** Started, Stopped, ... as Camel reports the route. */
    String routeStatus(String routeId) {
        return main.getCamelContext().getRouteController().getRouteStatus(routeId).name();
    }

    /** What the console's Pause does: suspends the route, waiting for the exchange in flight. */
    void suspendRoute(String routeId) throws Exception {
        main.getCamelContext().getRouteController().suspendRoute(routeId);
    }

    void resumeRoute(String routeId) throws Exception {
        main.getCamelContext().getRouteController().resumeRoute(routeId);
    }

    @Override
    public void close() {
        main.stop();
    }
}
