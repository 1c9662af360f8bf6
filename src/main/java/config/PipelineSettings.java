package config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import console.ConsoleFlow;
import generator.GeneratorFlow;
import localstack.LocalStackListener;
import mysql.MySqlSinkFlow;
import progress.PipelineProgress;
import s3.S3SinkFlow;
import sink.SinkSettings;
import source.SourceFlow;

/** Every setting of the pipeline: the definitions each flow declares next to itself, read together. */
public final class PipelineSettings {

    /** In the order of the README's settings table. */
    public static final List<SettingsDefinition> DEFINITIONS = List.of(KafkaSettings.SETTINGS, SourceFlow.CONNECTION,
            SourceFlow.SETTINGS, MySqlSinkFlow.SETTINGS, S3SinkFlow.SETTINGS, SinkSettings.SETTINGS, ConsoleFlow.SETTINGS,
            GeneratorFlow.SETTINGS, RouteFiles.SETTINGS, LocalStackListener.SETTINGS, PipelineProgress.SETTINGS);

    /** In the order they start: the generator creates the source's table, the console looks at what the others built. */
    public static final List<PipelineFlow> FLOWS = List.of(new GeneratorFlow(), new SourceFlow(), new MySqlSinkFlow(),
            new S3SinkFlow(), new ConsoleFlow());

    /**
     * Prefixes only the pipeline's own settings use: a name under one of them that no flow declares is most
     * likely a typo. (Route files may use placeholders of their own under other prefixes.) No second flow may be
     * named by one of them.
     */
    public static final List<String> OWN_PREFIXES = List.of("kafka.", "source.", "mysql.", "s3.", "errors.", "sink.",
            "console.", "generator.", "routes.", "local.stack.", "progress.");

    private PipelineSettings() {
    }

    public static Optional<SettingsDefinition.Setting> setting(String name) {
        return DEFINITIONS.stream().flatMap(definition -> definition.setting(name).stream()).findFirst();
    }

    /**
     * The settings of every definition whose flow is on, parsed and checked; {@code lookup} gives a setting's
     * value (null: not set, so its default). The first bad value throws a message naming it.
     */
    public static ParsedSettings parse(Function<String, String> lookup) {
        return parse(lookup, Map.of());
    }

    /**
     * As {@link #parse(Function)}, with the second flows {@code secondFlows} declares (name to kind,
     * {@link NamedFlows#declared}): a definition is read when the first flow of its kind is on or a second one is
     * (a second flow takes the first one's settings as its defaults, and shares kafka.*, errors.*, ...).
     */
    public static ParsedSettings parse(Function<String, String> lookup, Map<String, PipelineFlow> secondFlows) {
        Map<String, Object> values = new LinkedHashMap<>();
        // whether each flow is on, even when its other settings are not read
        for (PipelineFlow flow : FLOWS) {
            values.put(flow.enabledBy(), setting(flow.enabledBy()).orElseThrow().parse(lookup.apply(flow.enabledBy())));
        }
        Map<String, Object> switches = new LinkedHashMap<>(values);
        secondFlows.forEach((name, kind) -> {
            String enabled = name + ".enabled";
            boolean on = (Boolean) new SettingsDefinition.Setting(enabled, SettingsDefinition.Type.BOOLEAN, "true", Rules.ANY, "")
                    .parse(lookup.apply(enabled));
            switches.merge(kind.enabledBy(), on, (first, second) -> (Boolean) first || (Boolean) second);
        });
        List<SettingsDefinition> on = DEFINITIONS.stream().filter(definition -> isOn(definition, switches)).toList();
        on.forEach(definition -> values.putAll(definition.parse(lookup)));
        ParsedSettings settings = new ParsedSettings(values);
        on.forEach(definition -> definition.check(settings));
        return settings;
    }

    /** Whether any of the flows a definition is for is on ({@code switches}: every flow's switch, parsed). */
    private static boolean isOn(SettingsDefinition definition, Map<String, Object> switches) {
        if (definition.enabledBy().isEmpty()) {
            return true;
        }
        for (String flowSwitch : definition.enabledBy()) {
            if (!switches.containsKey(flowSwitch)) {
                throw new IllegalStateException(flowSwitch + " switches " + definition.title() + " but is no flow's switch");
            }
            if ((Boolean) switches.get(flowSwitch)) {
                return true;
            }
        }
        return false;
    }

    /** Each default, by name: what a route file's placeholder resolves to when nothing sets it. */
    public static Map<String, String> defaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        for (SettingsDefinition definition : DEFINITIONS) {
            for (SettingsDefinition.Setting setting : definition.settings()) {
                if (setting.defaultValue() != null) {
                    defaults.put(setting.name(), setting.defaultValue());
                }
            }
        }
        return defaults;
    }

    /**
     * The names among {@code given} that look like the pipeline's settings but are none, each with what it
     * says about it ("did you mean mysql.insert.mode?"): set, they would silently change nothing.
     */
    public static Map<String, String> unknown(Set<String> given) {
        Map<String, String> unknown = new LinkedHashMap<>();
        for (String name : given) {
            boolean own = OWN_PREFIXES.stream().anyMatch(name::startsWith) && !name.startsWith(KafkaSettings.CLIENT_PREFIX)
                    && !isTransformOption(name);
            if (own && setting(name).isEmpty()) {
                String closest = closest(name);
                unknown.put(name, closest == null ? "is not a setting of the pipeline (route files may still use it)"
                        : "is not a setting of the pipeline: did you mean " + closest + "?");
            }
        }
        return unknown;
    }

    /** {@code mysql.transforms.dropSsn.type}: a transform's option, checked when its flow starts, not declared. */
    static boolean isTransformOption(String name) {
        int at = name.indexOf(".transforms.");
        return at > 0 && name.indexOf('.') == at;
    }

    /** The declared name nearest to {@code name}, if it is a typo away (at most 3 edits), else null. */
    static String closest(String name) {
        String best = null;
        int bestDistance = 4;
        for (SettingsDefinition definition : DEFINITIONS) {
            for (SettingsDefinition.Setting setting : definition.settings()) {
                int distance = editDistance(name, setting.name());
                if (distance < bestDistance) {
                    best = setting.name();
                    bestDistance = distance;
                }
            }
        }
        return best;
    }

    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** The README's settings table: every definition, its settings with their defaults, values and meaning. */
    public static String markdownTable() {
        StringBuilder table = new StringBuilder();
        for (SettingsDefinition definition : DEFINITIONS) {
            table.append("**").append(definition.title()).append("**");
            if (!definition.enabledBy().isEmpty()) {
                table.append(" (read when ").append(String.join(" or ", definition.enabledBy().stream()
                        .map(name -> "`" + name + "=true`").toList())).append(')');
            }
            table.append("\n\n| setting | default | values | meaning |\n|---|---|---|---|\n");
            for (SettingsDefinition.Setting setting : definition.settings()) {
                String values = setting.rule().describe();
                table.append("| `").append(setting.name()).append("` | ")
                        .append(setting.defaultValue() == null ? "(required)"
                                : setting.defaultValue().isEmpty() ? "empty" : "`" + setting.defaultValue() + "`")
                        .append(" | ").append(typeName(setting.type())).append(values.isEmpty() ? "" : ": " + values)
                        .append(" | ").append(setting.doc().replace("|", "\\|")).append(" |\n");
            }
            for (String note : definition.notes()) {
                table.append('\n').append(note).append('\n');
            }
            table.append('\n');
        }
        return table.toString().stripTrailing() + "\n";
    }

    private static String typeName(SettingsDefinition.Type type) {
        return switch (type) {
            case BOOLEAN -> "true/false";
            case INT, LONG -> "number";
            case STRING -> "text";
            case LIST -> "list";
            case PASSWORD -> "secret";
        };
    }

}
