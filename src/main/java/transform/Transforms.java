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

    Transforms(List<RecordTransform> chain) {
        this.chain = List.copyOf(chain);
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
     */
    public static Transforms parse(List<String> names, String prefix, Function<String, String> lookup) {
        List<RecordTransform> chain = new ArrayList<>();
        for (String name : names) {
            chain.add(transform(new Options(prefix + "." + name + ".", lookup)));
        }
        return new Transforms(chain);
    }

    private static RecordTransform transform(Options options) {
        String type = options.required("type");
        String simple = type.startsWith(CONNECT_PACKAGE) ? type.substring(CONNECT_PACKAGE.length()) : type;
        if (simple.endsWith("$Key")) {
            throw new ConfigurationException(options.name("type"), type, "transforms the record key, which the sinks "
                    + "read as the row's key: only the value ($Value, or no suffix) can be transformed");
        }
        simple = simple.endsWith("$Value") ? simple.substring(0, simple.length() - "$Value".length()) : simple;
        return switch (simple) {
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
     * left beside the batch for the sink ({@link KafkaBatch#TRANSFORMED}); the records themselves stay as polled, so
     * a dead letter keeps its original bytes.
     */
    public void apply(Exchange batch) {
        if (chain.isEmpty()) {
            return;
        }
        List<?> polled = batch.getMessage().getBody(List.class);
        List<SinkRecord.Transformed> results = new ArrayList<>(polled.size());
        for (Object item : polled) {
            results.add(transform(((Exchange) item).getMessage()));
        }
        batch.setProperty(KafkaBatch.TRANSFORMED, results);
    }

    /** What the transforms make of one record; null where the sink reads it itself (a tombstone, a bad record). */
    private SinkRecord.Transformed transform(Message message) {
        Object body = message.getBody();
        if (!(body instanceof byte[] bytes)) {
            return null;
        }
        Row value;
        try {
            value = ConnectJson.read(SinkRecord.decode(bytes, "value"));
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
            for (RecordTransform transform : chain) {
                value = transform.apply(value, origin);
                if (value == null) {
                    return new SinkRecord.Transformed(null, true, null);
                }
            }
            return new SinkRecord.Transformed(value, false, null);
        } catch (TransformException e) {
            return new SinkRecord.Transformed(null, false, "a transform could not handle it: " + e.getMessage());
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
