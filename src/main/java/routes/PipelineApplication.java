package routes;

import localstack.LocalStackListener;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the pipeline. Camel Main finds the flows (the RouteBuilders of this package) and reads
 * application.properties; everything else is configuration.
 */
public final class PipelineApplication {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineApplication.class);

    private PipelineApplication() {
    }

    public static void main(String[] args) {
        Main main = new Main(PipelineApplication.class);
        // starts the embedded stack before anything connects, when local.stack.enabled=true
        main.addMainListener(new LocalStackListener());
        try {
            main.run(args);
        } catch (Exception e) {
            // bad configuration or an unreachable system: one line that names the cause, not a stack trace
            LOG.error("kafka-pipeline cannot start: {}", rootCause(e).getMessage());
            LOG.debug("start-up failure", e);
            System.exit(1);
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        // the first message that names a property or a system is ours; deeper ones are the driver's details
        while (cause.getCause() != null && !(cause instanceof IllegalStateException || cause instanceof IllegalArgumentException)) {
            cause = cause.getCause();
        }
        return cause;
    }
}
