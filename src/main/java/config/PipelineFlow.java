package config;

/**
 * The Java side of one flow: it builds the beans its route file names ({@code bean: s3Batches},
 * {@code dataSource=#mysqlDataSource}) from its settings, which it declares next to itself (a
 * {@link SettingsDefinition} listed in {@link PipelineSettings}).
 */
public interface PipelineFlow {

    /** The boolean setting that switches the flow on ({@code mysql.enabled}). */
    String enabledBy();

    /** Builds and binds the beans its route file uses, and checks the systems it talks to. */
    void start(FlowSetup setup) throws Exception;
}
