package config;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.apache.camel.CamelContext;

/**
 * The Java side of one kind of flow: it declares the flow's settings next to itself (a {@link SettingsDefinition}
 * listed in {@link PipelineSettings}) and builds the beans its route file names ({@code bean: s3Batches},
 * {@code dataSource=#mysqlDataSource}) from them. The first flow of a kind is named after it ({@code mysql}, its
 * settings {@code mysql.*}); a kind whose route file is a set of route templates can run more flows, each named
 * by its settings' prefix ({@code archive.flow = mysql}; {@link NamedFlows}).
 */
public interface PipelineFlow {

    /** The kind's name: the first flow's name, and the prefix of its settings and beans ({@code mysql}). */
    String name();

    /** The boolean setting that switches the first flow on ({@code mysql.enabled}). */
    default String enabledBy() {
        return name() + ".enabled";
    }

    /**
     * The definitions a second flow of this kind repeats under its own prefix (the first flow's settings are its
     * defaults); empty when there is only ever one flow of this kind (the console, the generator).
     */
    default List<SettingsDefinition> repeatedSettings() {
        return List.of();
    }

    /**
     * The settings, without their prefix, that a second flow named {@code flowName} does not take from the first
     * one, with its defaults for them, made from the first flow's ({@code first}: a setting's value or null): a
     * consumer group of its own, say ({@code <mysql.group.id>-archive}), so that two pipelines on one cluster that
     * both add a flow {@code archive} still differ.
     */
    default Map<String, String> ownSettings(String flowName, Function<String, Object> first) {
        return Map.of();
    }

    /**
     * What this flow, with {@code settings} (under the first flow's names), must not share with any other flow: a
     * consumer group, a MySQL table, an S3 folder, a transactional id. Two flows with an equal claim stop start-up.
     */
    default List<Claim> claims(ParsedSettings settings) {
        return List.of();
    }

    /**
     * Something a flow uses alone.
     *
     * @param what    what it is, for the message ("consumer group")
     * @param setting the flow's setting, without the prefix, that decides it ({@code group.id})
     * @param value   the thing itself, compared between flows (a table: the database's URL without secrets and the
     *                table's name)
     */
    record Claim(String what, String setting, String value) {
    }

    /**
     * The routes of the flow named {@code flowName}, made from the route templates of the kind's route file; the
     * beans {@link #start} bound are in {@code context}'s registry.
     */
    default List<FlowRoute> routes(String flowName, CamelContext context) {
        return List.of();
    }

    /** Builds and binds the beans its route file uses, and checks the systems it talks to. */
    void start(FlowSetup setup) throws Exception;

    /**
     * One route of a flow: made from route template {@code template} with the flow's settings as parameters (and
     * {@code flow}, its name), and these of its own.
     */
    record FlowRoute(String routeId, String template, Map<String, String> parameters) {
    }
}
