package s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import record.Field;
import record.FieldType;
import record.RecordFormatException;
import record.RecordSchema;
import record.Row;

class AvroSchemasTest {

    private static final RecordSchema USERS = new RecordSchema("P_USERS", List.of(
            Field.of("index", FieldType.INT64, false),
            Field.of("name", FieldType.STRING, true),
            new Field("balance", FieldType.DECIMAL, true, 2),
            Field.of("born", FieldType.DATE, true),
            Field.of("wakes", FieldType.TIME, true),
            Field.of("created", FieldType.TIMESTAMP, false),
            Field.of("small", FieldType.INT16, true)));

    @Test
    void mapsConnectTypesAsConfluentsAvroConverterDoes() {
        Schema schema = AvroSchemas.of(USERS);
        assertThat(schema.getName()).isEqualTo("P_USERS");
        assertThat(schema.getField("index").schema().getType()).isEqualTo(Schema.Type.LONG);
        // optional: a union with null, null by default
        assertThat(schema.getField("name").schema().getTypes()).extracting(Schema::getType).containsExactly(Schema.Type.NULL, Schema.Type.STRING);
        assertThat(schema.getField("name").hasDefaultValue()).isTrue();
        Schema balance = schema.getField("balance").schema().getTypes().get(1);
        assertThat(balance.getLogicalType()).isEqualTo(LogicalTypes.decimal(64, 2));
        assertThat(schema.getField("born").schema().getTypes().get(1).getLogicalType()).isEqualTo(LogicalTypes.date());
        assertThat(schema.getField("wakes").schema().getTypes().get(1).getLogicalType()).isEqualTo(LogicalTypes.timeMillis());
        assertThat(schema.getField("created").schema().getLogicalType()).isEqualTo(LogicalTypes.timestampMillis());
        assertThat(schema.getField("small").schema().getTypes().get(1).getType()).isEqualTo(Schema.Type.INT);
        // a schema without a name gets Confluent's default name
        assertThat(AvroSchemas.of(new RecordSchema(null, USERS.fields())).getFullName()).isEqualTo("io.confluent.connect.avro.ConnectDefault");
    }

    @Test
    void convertsValuesToTheirAvroRepresentation() {
        Map<String, Object> values = new HashMap<>();
        values.put("index", 7L);
        values.put("name", null);
        values.put("balance", new BigDecimal("-12.30"));
        values.put("born", LocalDate.of(1970, 1, 11));
        values.put("wakes", LocalTime.of(0, 0, 1, 5_000_000));
        values.put("created", LocalDateTime.of(1970, 1, 1, 0, 0, 2));
        values.put("small", (short) 3);
        GenericRecord avro = AvroSchemas.toAvro(AvroSchemas.of(USERS), new Row(USERS, values));
        assertThat(avro.get("index")).isEqualTo(7L);
        assertThat(avro.get("name")).isNull();
        assertThat(new BigDecimal(new java.math.BigInteger(((ByteBuffer) avro.get("balance")).array()), 2)).isEqualByComparingTo("-12.30");
        assertThat(avro.get("born")).isEqualTo(10);
        assertThat(avro.get("wakes")).isEqualTo(1_005);
        assertThat(avro.get("created")).isEqualTo(2_000L);
        assertThat(avro.get("small")).isEqualTo(3);
    }

    @Test
    void aFieldNameAvroCannotTakeIsAClearRecordError() {
        RecordSchema spaced = new RecordSchema("t", List.of(Field.of("first name", FieldType.STRING, true)));
        assertThatThrownBy(() -> AvroSchemas.of(spaced)).isInstanceOf(RecordFormatException.class)
                .hasMessageContaining("cannot be written as Avro");
    }
}
