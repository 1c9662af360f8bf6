package transform;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultExchange;
import record.Field;
import record.FieldType;
import record.RecordSchema;
import record.Row;

/**
 * A route of the user's own that each record of a sink flow goes through, one record per exchange, after the
 * flow's transforms: the route {@code <flow>-record} ({@code from: direct:<flow>-record}), in any route file, so
 * Camel's own steps work on records: a {@code filter} with a {@code stop} drops a record, a {@code choice} picks,
 * a {@code script} or {@code setBody} changes fields, a {@code log} shows them. The body is the record's fields as
 * a Map (name to value), the headers say where it came from ({@code kafka.TOPIC}, {@code kafka.PARTITION},
 * {@code kafka.OFFSET}, {@code kafka.TIMESTAMP}). What the route leaves in the body is the record: a field it keeps
 * keeps its type (its value converted, or the record fails), a field it adds is typed by its value (text, whole
 * number, number, true/false), a field it removes is gone. A route that fails on a record makes it a dead letter.
 * Only flows with such a route pay for it.
 */
final class RecordRoute implements RecordTransform {

    private final String endpoint;
    private final ProducerTemplate template;
    private final CamelContext context;
    private final SchemaCache schemas = new SchemaCache();

    RecordRoute(CamelContext context, String routeId) {
        this.context = context;
        this.endpoint = "direct:" + routeId;
        this.template = context.createProducerTemplate();
    }

    @Override
    public Row apply(Row value, Origin origin) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(new LinkedHashMap<>(value.values()));
        exchange.getMessage().setHeader(KafkaConstants.TOPIC, origin.topic());
        exchange.getMessage().setHeader(KafkaConstants.PARTITION, origin.partition());
        exchange.getMessage().setHeader(KafkaConstants.OFFSET, origin.offset());
        exchange.getMessage().setHeader(KafkaConstants.TIMESTAMP, origin.timestamp());
        template.send(endpoint, exchange);
        if (exchange.getException() != null) {
            throw new TransformException("the route " + endpoint.substring("direct:".length()) + " failed on it: "
                    + exchange.getException().getMessage());
        }
        if (exchange.isRouteStop()) {
            return null;
        }
        if (!(exchange.getMessage().getBody() instanceof Map<?, ?> fields)) {
            throw new TransformException("the route " + endpoint.substring("direct:".length())
                    + " must leave the record's fields as a Map in the body, not " + exchange.getMessage().getBody());
        }
        List<Field> schemaFields = new ArrayList<>();
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : fields.entrySet()) {
            String name = String.valueOf(entry.getKey());
            Object fieldValue = entry.getValue();
            Field field = value.schema().field(name);
            if (field == null) {
                field = Field.of(name, typeOf(fieldValue), true);
                fieldValue = fieldValue == null || field.type() != FieldType.STRING ? fieldValue : fieldValue.toString();
            } else if (fieldValue != null && !fits(field.type(), fieldValue)) {
                fieldValue = Cast.convert(name, fieldValue, field.type());
            }
            schemaFields.add(field);
            values.put(name, fieldValue);
        }
        RecordSchema schema = schemas.get(new RecordSchema(value.schema().name(), schemaFields), changed -> changed);
        return new Row(schema, values);
    }

    private static FieldType typeOf(Object value) {
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return FieldType.INT64;
        }
        if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            return FieldType.FLOAT64;
        }
        return value instanceof Boolean ? FieldType.BOOLEAN : FieldType.STRING;
    }

    /** Whether {@code value} is already held as the reader holds {@code type}. */
    private static boolean fits(FieldType type, Object value) {
        return switch (type) {
            case INT8 -> value instanceof Byte;
            case INT16 -> value instanceof Short;
            case INT32 -> value instanceof Integer;
            case INT64 -> value instanceof Long;
            case FLOAT32, FLOAT64 -> value instanceof Double;
            case BOOLEAN -> value instanceof Boolean;
            case STRING -> value instanceof String;
            default -> true; // dates, times, bytes, decimals: kept as they are
        };
    }
}
