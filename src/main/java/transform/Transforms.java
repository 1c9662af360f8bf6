package transform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import config.ConfigurationException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import record.ConnectJson;
import record.FieldType;
import record.RecordFormatException;
import record.Row;
import sink.KafkaBatch;
import sink.SinkRecord;

/**
 * A sink flow's transforms, set as Kafka Connect sets them: {@code <flow>.transforms = dropSsn,hashMail} names them
 * in order, {@code <flow>.transforms.<name>.type} says which ({@code ReplaceField}, {@code MaskField},
 * {@code InsertField}, {@code Filter}, {@code Cast}, {@code HashField}; Connect's class names such as
 * {@code org.apache.kafka.connect.transforms.ReplaceField$Value} are taken too), and
 * {@code <flow>.transforms.<name>.<option>} configures each. The route step {@link #apply} runs them on every record
 * of a batch, before the sink reads it: the sink then writes the changed value, skips a dropped record, and turns a
 * record a transform could not handle into a dead letter with its original bytes. With none set the step does
 * nothing.
 */
public final class Transforms {

    private static final String CONNECT_PACKAGE = "org.apache.kafka.connect.transforms.";

    private final List<RecordTransform> chain;
    private final List<String> descriptions;
    private final boolean schemaRequired;
    private final String recordRouteId;
    private volatile RecordRoute recordRoute;

    Transforms(List<RecordTransform> chain, boolean schemaRequired) {
        this(chain, List.of(), schemaRequired, null);
    }

    private Transforms(List<RecordTransform> chain, List<String> descriptions, boolean schemaRequired, String recordRouteId) {
        this.chain = List.copyOf(chain);
        this.descriptions = List.copyOf(descriptions);
        this.schemaRequired = schemaRequired;
        this.recordRouteId = recordRouteId;
    }

    /** These transforms, then the route {@code routeId} for each record whenever one of that id runs ({@link RecordRoute}). */
    public Transforms withRecordRoute(String routeId) {
        return new Transforms(chain, descriptions, schemaRequired, routeId);
    }

    /** Each transform as the console lists it: {@code dropSsn: ReplaceField exclude=ssn} (a secret key left out). */
    public List<String> descriptions() {
        return descriptions;
    }

    /** The route each record goes through when one of this id runs, or null. */
    public String recordRouteId() {
        return recordRouteId;
    }

    public boolean isEmpty() {
        return chain.isEmpty();
    }

    List<RecordTransform> chain() {
        return chain;
    }

    /**
     * The transforms {@code names} lists, each configured by the settings under {@code prefix.<name>.}, read through
     * {@code lookup} (null: not set); a bad one throws a {@link ConfigurationException} naming its setting.
     *
     * @param schemaRequired the sink stores a schema (Avro, Parquet): a record without one is left to the sink,
     *                       which makes it a dead letter, never transformed into a guessed schema
     */
    public static Transforms parse(List<String> names, String prefix, Function<String, String> lookup, boolean schemaRequired) {
        return parse(names, prefix, lookup, schemaRequired, java.util.Set.of());
    }

    /**
     * As {@link #parse(List, String, Function, boolean)}, and {@code given} (every setting name set in
     * application.properties or as a system property) must hold no option a transform does not have: a misspelt
     * {@code acton = keep} would silently leave a Filter dropping what it should keep.
     */
    public static Transforms parse(List<String> names, String prefix, Function<String, String> lookup, boolean schemaRequired,
                                   java.util.Set<String> given) {
        List<RecordTransform> chain = new ArrayList<>();
        List<String> descriptions = new ArrayList<>();
        for (String name : names) {
            Options options = new Options(prefix + "." + name + ".", lookup);
            chain.add(transform(options));
            String type = simpleType(options.required("type"));
            List<String> known = OPTIONS.getOrDefault(type, List.of());
            StringBuilder description = new StringBuilder(name + ": " + type);
            for (String option : known) {
                if (!option.equals("type") && !option.equals("key") && options.raw(option) != null) {
                    description.append(' ').append(option).append('=').append(options.raw(option));
                }
            }
            descriptions.add(description.toString());
            for (String setting : given) {
                if (setting.startsWith(options.prefix()) && !known.contains(setting.substring(options.prefix().length()))) {
                    throw new ConfigurationException(setting, null, "is not an option of " + type
                            + " (its options: " + String.join(", ", known) + ")");
                }
            }
        }
        return new Transforms(chain, descriptions, schemaRequired, null);
    }

    /** Each transform's options, as Connect names them. */
    private static final Map<String, List<String>> OPTIONS = Map.of(
            "ReplaceField", List.of("type", "include", "exclude", "renames"),
            "MaskField", List.of("type", "fields", "replacement"),
            "InsertField", List.of("type", "topic.field", "partition.field", "offset.field", "timestamp.field", "static.field", "static.value"),
            "Filter", List.of("type", "field", "values", "action"),
            "Cast", List.of("type", "spec"),
            "HashField", List.of("type", "fields", "key"));

    /** {@code org.apache.kafka.connect.transforms.ReplaceField$Value} -> {@code ReplaceField}. */
    private static String simpleType(String type) {
        String simple = type.startsWith(CONNECT_PACKAGE) ? type.substring(CONNECT_PACKAGE.length()) : type;
        return simple.replaceFirst("\\$(Value|Key)$", "");
    }

    private static RecordTransform transform(Options options) {
        String type = options.required("type");
        if (type.endsWith("$Key")) {
            throw new ConfigurationException(options.name("type"), type, "transforms the record key, which the sinks "
                    + "read as the row's key: only the value ($Value, or no suffix) can be transformed");
        }
        return switch (simpleType(type)) {
            case "ReplaceField" -> {
                Map<String, String> renames = new LinkedHashMap<>();
                for (String pair : options.list("renames")) {
                    String[] parts = pair.split(":", -1);
                    if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                        throw new ConfigurationException(options.name("renames"), options.raw("renames"), "must be old:new pairs, comma separated");
                    }
                    renames.put(parts[0].trim(), parts[1].trim());
                }
                List<String> include = options.list("include");
                List<String> exclude = options.list("exclude");
                if (include.isEmpty() && exclude.isEmpty() && renames.isEmpty()) {
                    throw new ConfigurationException(options.name("exclude"), null, "is missing: ReplaceField needs include, exclude or renames");
                }
                yield new ReplaceField(include, exclude, renames);
            }
            case "MaskField" -> new MaskField(options.requiredList("fields"), options.raw("replacement"));
            case "InsertField" -> {
                InsertField insert = new InsertField(options.raw("topic.field"), options.raw("partition.field"),
                        options.raw("offset.field"), options.raw("timestamp.field"), options.raw("static.field"), options.raw("static.value"));
                if (options.raw("topic.field") == null && options.raw("partition.field") == null && options.raw("offset.field") == null
                        && options.raw("timestamp.field") == null && options.raw("static.field") == null) {
                    throw new ConfigurationException(options.name("static.field"), null,
                            "is missing: InsertField needs topic.field, partition.field, offset.field, timestamp.field or static.field");
                }
                if (options.raw("static.field") != null && options.raw("static.value") == null) {
                    throw new ConfigurationException(options.name("static.value"), null, "is missing: static.field needs a value");
                }
                yield insert;
            }
            case "Filter" -> {
                String action = options.raw("action") == null ? "drop" : options.raw("action").trim().toLowerCase(Locale.ROOT);
                if (!action.equals("drop") && !action.equals("keep")) {
                    throw new ConfigurationException(options.name("action"), options.raw("action"), "must be drop or keep");
                }
                yield new Filter(options.required("field"), options.requiredList("values"), action.equals("keep"));
            }
            case "Cast" -> {
                Map<String, FieldType> casts = new LinkedHashMap<>();
                for (String pair : options.requiredList("spec")) {
                    String[] parts = pair.split(":", -1);
                    FieldType to = parts.length == 2 ? Cast.type(parts[1].trim()) : null;
                    if (to == null || parts[0].isBlank()) {
                        throw new ConfigurationException(options.name("spec"), options.raw("spec"), "must be field:type pairs, "
                                + "comma separated, each type one of int8, int16, int32, int64, float32, float64, boolean, string");
                    }
                    casts.put(parts[0].trim(), to);
                }
                yield new Cast(casts);
            }
            case "HashField" -> {
                String key = options.raw("key");
                if (key == null || key.isEmpty()) {
                    // the key is a secret: never echoed
                    throw new ConfigurationException(options.name("key"), null, "is missing: HashField needs a secret key");
                }
                yield new HashField(options.requiredList("fields"), key);
            }
            default -> throw new ConfigurationException(options.name("type"), type,
                    "must be one of ReplaceField, MaskField, InsertField, Filter, Cast, HashField");
        };
    }

    /**
     * Route step, before the sink reads the batch: each record's value through the transforms, what they made of it
     * left on the record's own exchange for the sink ({@link KafkaBatch#TRANSFORMED}); the records themselves stay as
     * polled, so a dead letter keeps its original bytes.
     */
    public void apply(Exchange batch) {
        // the record route is looked up per batch: a route file saved while running may add or remove it
        boolean throughRoute = recordRouteId != null && batch.getContext().getRoute(recordRouteId) != null;
        if (chain.isEmpty() && !throughRoute) {
            return;
        }
        List<RecordTransform> steps = chain;
        if (throughRoute) {
            if (recordRoute == null) {
                recordRoute = new RecordRoute(batch.getContext(), recordRouteId);
            }
            steps = new ArrayList<>(chain);
            steps.add(recordRoute);
        }
        for (Object item : batch.getMessage().getBody(List.class)) {
            Exchange record = (Exchange) item;
            record.setProperty(KafkaBatch.TRANSFORMED, transform(record.getMessage(), steps));
        }
    }

    /** What the transforms make of one record; null where the sink reads it itself (a tombstone, a bad record). */
    private SinkRecord.Transformed transform(Message message, List<RecordTransform> steps) {
        Object body = message.getBody();
        if (!(body instanceof byte[] bytes)) {
            return null;
        }
        Row value;
        try {
            String text = SinkRecord.decode(bytes, "value");
            value = schemaRequired ? ConnectJson.readWithSchema(text) : ConnectJson.read(text);
        } catch (RecordFormatException e) {
            return null; // the sink reads it again, and makes it a dead letter with this same reason
        }
        if (value == null) {
            return null;
        }
        RecordTransform.Origin origin = new RecordTransform.Origin(message.getHeader(KafkaConstants.TOPIC, String.class),
                message.getHeader(KafkaConstants.PARTITION, -1, Integer.class), message.getHeader(KafkaConstants.OFFSET, -1L, Long.class),
                message.getHeader(KafkaConstants.TIMESTAMP, -1L, Long.class));
        try {
            for (RecordTransform transform : steps) {
                value = transform.apply(value, origin);
                if (value == null) {
                    return new SinkRecord.Transformed(null, true, null);
                }
            }
            return new SinkRecord.Transformed(value, false, null);
        } catch (RuntimeException e) {
            // whatever a transform throws is about this record: a dead letter, never a batch failing for ever
            return new SinkRecord.Transformed(null, false, "a transform could not handle it: "
                    + (e instanceof TransformException || e.getMessage() != null ? e.getMessage() : e.toString()));
        }
    }

    /** The settings of one transform, under {@code <flow>.transforms.<name>.}. */
    private record Options(String prefix, Function<String, String> lookup) {

        String name(String option) {
            return prefix + option;
        }

        String raw(String option) {
            String value = lookup.apply(prefix + option);
            return value == null ? null : value.trim();
        }

        String required(String option) {
            String value = raw(option);
            if (value == null || value.isEmpty()) {
                throw new ConfigurationException(name(option), null, "is missing");
            }
            return value;
        }

        List<String> list(String option) {
            String value = raw(option);
            return value == null ? List.of()
                    : java.util.Arrays.stream(value.split(",")).map(String::trim).filter(item -> !item.isEmpty()).toList();
        }

        List<String> requiredList(String option) {
            List<String> values = list(option);
            if (values.isEmpty()) {
                throw new ConfigurationException(name(option), raw(option), "must list at least one name");
            }
            return values;
        }
    }
}
