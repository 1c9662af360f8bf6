package config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;

/**
 * The flows that run, each an instance of its kind's route templates: the first flow of each kind, named after it
 * ({@code mysql}, settings {@code mysql.*}), and the second flows the settings declare with {@code <name>.flow =
 * <kind>} ({@code archive.flow = mysql}, settings {@code archive.*}). A second flow's setting that is not set is the
 * first flow's ({@code archive.topics} is {@code mysql.topics} unless set), except its own settings (a consumer group
 * of its own, say: {@link PipelineFlow#ownSettings}); so a second MySQL database fed from the same topic is two or
 * three lines. Bound as {@value #BEAN}: the route builder {@code routes.FlowRoutes} makes each flow's routes.
 */
public final class NamedFlows {

    public static final String BEAN = "pipelineFlows";
    /** The setting that declares a second flow: {@code <name>.flow = <kind>}. */
    public static final String FLOW_SUFFIX = ".flow";

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,40}");

    /**
     * One flow that runs.
     *
     * @param parameters its settings without their prefix ({@code topics}), as text, and {@code flow}: its name; the
     *                   parameters of its route templates. Secrets are left out (route files never need them).
     */
    public record Flow(PipelineFlow kind, String name, ParsedSettings settings, Map<String, String> parameters) {
    }

    private final List<Flow> flows;

    public NamedFlows(List<Flow> flows) {
        this.flows = List.copyOf(flows);
    }

    public List<Flow> flows() {
        return flows;
    }

    /**
     * The second flows that {@code given} (every setting's name and value) declares, name to kind, in name order;
     * a bad declaration throws a {@link ConfigurationException} naming it.
     */
    public static Map<String, PipelineFlow> declared(Map<String, String> given, List<PipelineFlow> kinds, List<String> reservedPrefixes) {
        Map<String, PipelineFlow> declared = new TreeMap<>();
        for (Map.Entry<String, String> entry : given.entrySet()) {
            if (!entry.getKey().endsWith(FLOW_SUFFIX)) {
                continue;
            }
            String name = entry.getKey().substring(0, entry.getKey().length() - FLOW_SUFFIX.length());
            String kindName = entry.getValue().trim();
            List<String> repeatable = kinds.stream().filter(kind -> !kind.repeatedSettings().isEmpty()).map(PipelineFlow::name).toList();
            PipelineFlow kind = kinds.stream().filter(k -> k.name().equals(kindName) && !k.repeatedSettings().isEmpty())
                    .findFirst().orElseThrow(() -> new ConfigurationException(entry.getKey(), kindName,
                            "must be the kind of flow it is: one of " + String.join(", ", repeatable)));
            if (!NAME.matcher(name).matches()) {
                throw new ConfigurationException(entry.getKey(), kindName, "names a flow '" + name
                        + "': a flow's name is lower-case letters, digits, - and _, starting with a letter");
            }
            if (reservedPrefixes.stream().anyMatch(prefix -> (name + ".").startsWith(prefix) || prefix.startsWith(name + "."))
                    || name.equals("camel")) {
                throw new ConfigurationException(entry.getKey(), kindName, "names a flow '" + name
                        + "', a prefix the pipeline's own settings use: choose another name");
            }
            declared.put(name, kind);
        }
        return declared;
    }

    /**
     * The settings of the second flow {@code name} of {@code kind}, parsed and checked, keyed by the first flow's
     * names ({@code archive.topics} as {@code mysql.topics}, so the kind's Java reads them as it reads the first
     * flow's), on top of {@code shared} (kafka.*, errors.*, ...). A bad value throws a message naming the second
     * flow's setting.
     */
    public static ParsedSettings parse(PipelineFlow kind, String name, Function<String, String> lookup, ParsedSettings shared) {
        String kindPrefix = kind.name() + ".";
        String prefix = name + ".";
        Map<String, String> own = kind.ownSettings(name, shared::value);
        Map<String, Object> values = new LinkedHashMap<>(shared.values());
        for (SettingsDefinition definition : kind.repeatedSettings()) {
            for (SettingsDefinition.Setting setting : definition.settings()) {
                String suffix = setting.name().substring(kindPrefix.length());
                String ownName = prefix + suffix;
                String raw = lookup.apply(ownName);
                if (raw == null) {
                    raw = own.containsKey(suffix) ? own.get(suffix) : lookup.apply(setting.name());
                }
                SettingsDefinition.Setting renamed = new SettingsDefinition.Setting(ownName, setting.type(), setting.defaultValue(),
                        setting.rule(), setting.doc());
                values.put(setting.name(), renamed.parse(raw));
            }
        }
        ParsedSettings settings = new ParsedSettings(values);
        try {
            kind.repeatedSettings().forEach(definition -> definition.check(settings));
        } catch (IllegalArgumentException e) {
            // the check names the first flow's settings: say which of the second flow's it is
            throw new IllegalArgumentException(ownNames(kind, name, e.getMessage()), e);
        }
        return settings;
    }

    /**
     * {@code message} with the first flow's setting names ({@code s3.bucket.name}) as the second flow {@code name}'s
     * ({@code lake.bucket.name}): only declared names, so an address such as s3.amazonaws.com stays as it is.
     */
    public static String ownNames(PipelineFlow kind, String name, String message) {
        if (message == null || name.equals(kind.name())) {
            return message;
        }
        String text = message;
        String kindPrefix = kind.name() + ".";
        for (SettingsDefinition definition : kind.repeatedSettings()) {
            for (SettingsDefinition.Setting setting : definition.settings()) {
                text = text.replaceAll("(?<![\\w.-])" + Pattern.quote(setting.name()) + "(?![\\w-])",
                        Matcher.quoteReplacement(name + "." + setting.name().substring(kindPrefix.length())));
            }
        }
        return text;
    }

    /**
     * The flows that run, in start order: for each kind the first flow when it is on, then the second flows of that
     * kind the settings declare and do not switch off, each with its settings parsed and checked.
     */
    public static List<Flow> of(ParsedSettings shared, Map<String, PipelineFlow> secondFlows, List<PipelineFlow> kinds,
                                Function<String, String> lookup) {
        List<Flow> flows = new ArrayList<>();
        for (PipelineFlow kind : kinds) {
            if (shared.bool(kind.enabledBy())) {
                flows.add(new Flow(kind, kind.name(), shared, parameters(kind, kind.name(), shared)));
            }
            for (Map.Entry<String, PipelineFlow> second : secondFlows.entrySet()) {
                if (second.getValue() == kind) {
                    ParsedSettings own = parse(kind, second.getKey(), lookup, shared);
                    if (own.bool(kind.enabledBy())) {
                        flows.add(new Flow(kind, second.getKey(), own, parameters(kind, second.getKey(), own)));
                    }
                }
            }
        }
        return flows;
    }

    /**
     * Stops start-up when two flows would share what each must have alone ({@link PipelineFlow#claims}): one consumer
     * group would split the records between them, one table or S3 folder would be overwritten by both, one topic
     * would get every row twice. The message names the later flow's setting.
     */
    public static void checkApart(List<Flow> flows) {
        Map<String, String> claimedBy = new LinkedHashMap<>();
        for (Flow flow : flows) {
            for (PipelineFlow.Claim claim : flow.kind().claims(flow.settings())) {
                String key = claim.what() + " " + claim.value();
                String other = claimedBy.putIfAbsent(key, flow.name());
                if (other != null && !other.equals(flow.name())) {
                    String setting = flow.name() + "." + claim.setting();
                    throw new ConfigurationException(setting, null, "makes flow " + flow.name() + " use the " + claim.what() + " of flow "
                            + other + " (" + claim.value() + "): two flows must not share it; set " + setting + " (or what it is made from) apart");
                }
            }
        }
    }

    /** A flow's template parameters: each of its settings without the prefix, as text; secrets left out. */
    public static Map<String, String> parameters(PipelineFlow kind, String name, ParsedSettings settings) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("flow", name);
        String kindPrefix = kind.name() + ".";
        for (SettingsDefinition definition : kind.repeatedSettings()) {
            for (SettingsDefinition.Setting setting : definition.settings()) {
                // route files never need a connection's settings, and a JDBC URL may carry a password
                if (setting.type() == SettingsDefinition.Type.PASSWORD || setting.name().startsWith(kindPrefix + "connection.")) {
                    continue;
                }
                Object value = settings.value(setting.name());
                String text = value instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf).toList())
                        : String.valueOf(value);
                parameters.put(setting.name().substring(kindPrefix.length()), text);
            }
        }
        return parameters;
    }

    /**
     * The names among {@code given} under a second flow's prefix that are none of its kind's settings, each with
     * what it says about it ("did you mean archive.table.name.format?"), as {@link PipelineSettings#unknown} does
     * for the first flows.
     */
    public static Map<String, String> unknown(Set<String> given, Map<String, PipelineFlow> secondFlows) {
        Map<String, String> unknown = new LinkedHashMap<>();
        for (String name : given) {
            int dot = name.indexOf('.');
            PipelineFlow kind = dot < 0 ? null : secondFlows.get(name.substring(0, dot));
            if (kind == null || name.endsWith(FLOW_SUFFIX) && name.indexOf('.', dot + 1) < 0
                    || PipelineSettings.isTransformOption(name)) {
                continue;
            }
            String prefix = name.substring(0, dot + 1);
            String asFirst = kind.name() + "." + name.substring(dot + 1);
            boolean declared = kind.repeatedSettings().stream().anyMatch(definition -> definition.setting(asFirst).isPresent());
            if (!declared) {
                String closest = PipelineSettings.closest(asFirst);
                unknown.put(name, closest == null || !closest.startsWith(kind.name() + ".")
                        ? "is not a setting of a " + kind.name() + " flow"
                        : "is not a setting of a " + kind.name() + " flow: did you mean " + prefix + closest.substring(kind.name().length() + 1) + "?");
            }
        }
        return unknown;
    }

    /**
     * The routes of every flow, in start order, each with its whole set of template parameters (the flow's settings
     * and {@code flow}, then the route's own).
     */
    public List<PipelineFlow.FlowRoute> routes(CamelContext context) {
        List<PipelineFlow.FlowRoute> routes = new ArrayList<>();
        for (Flow flow : flows) {
            for (PipelineFlow.FlowRoute route : flow.kind().routes(flow.name(), context)) {
                Map<String, String> parameters = new LinkedHashMap<>(flow.parameters());
                parameters.putAll(route.parameters());
                routes.add(new PipelineFlow.FlowRoute(route.routeId(), route.template(), parameters));
            }
        }
        return routes;
    }

    /** Adds {@code routes} to {@code builder}, each made from its template with its parameters. */
    public static void addTo(RouteBuilder builder, List<PipelineFlow.FlowRoute> routes) {
        for (PipelineFlow.FlowRoute route : routes) {
            var templated = builder.templatedRoute(route.template()).routeId(route.routeId());
            route.parameters().forEach(templated::parameter);
        }
    }

    public Optional<Flow> flow(String name) {
        return flows.stream().filter(flow -> flow.name().equals(name)).findFirst();
    }

    /** The flows of one kind, the first flow first. */
    public List<Flow> ofKind(PipelineFlow kind) {
        List<Flow> ofKind = new ArrayList<>();
        flows.stream().filter(flow -> flow.kind().name().equals(kind.name())).forEach(ofKind::add);
        return ofKind;
    }
}
