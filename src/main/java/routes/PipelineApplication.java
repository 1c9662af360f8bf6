package routes;

import localstack.LocalStackListener;
import org.apache.camel.main.Main;

/**
 * Starts the pipeline. Camel Main finds the flows (the RouteBuilders of this package) and reads
 * application.properties; everything else is configuration.
 */
public final class PipelineApplication {

    private PipelineApplication() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main(PipelineApplication.class);
        // starts the embedded stack before anything connects, when local.stack.enabled=true
        main.addMainListener(new LocalStackListener());
        main.run(args);
    }
}
