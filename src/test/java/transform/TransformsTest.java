package transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import record.ConnectJson;
import record.Field;
import record.FieldType;
import record.Row;
import sink.KafkaBatch;
import sink.SinkRecord;

/** Each transform on a record's schema and payload, the settings that configure them, and the route step on a batch. */
class TransformsTest {

    private static final String SCHEMA = "{\"type\":\"struct\",\"name\":\"USERS\",\"optional\":false,\"fields\":["
            + "{\"field\":\"index\",\"type\":\"int64\",\"optional\":false},"
            + "{\"field\":\"name\",\"type\":\"string\",\"optional\":true},"
            + "{\"field\":\"ssn\",\"type\":\"string\",\"optional\":true},"
            + "{\"field\":\"sex\",\"type\":\"string\",\"optional\":true},"
            + "{\"field\":\"age\",\"type\":\"string\",\"optional\":true}]}";
    private static final RecordTransform.Origin ORIGIN = new RecordTransform.Origin("P_USERS", 2, 41, 1_764_000_000_123L);

    private final Map<String, String> settings = new HashMap<>();

    private static String record(long index, String name, String ssn, String sex, String age) {
        return "{\"schema\":" + SCHEMA + ",\"payload\":{\"index\":" + index + ",\"name\":" + quoted(name) + ",\"ssn\":" + quoted(ssn)
                + ",\"sex\":" + quoted(sex) + ",\"age\":" + quoted(age) + "}}";
    }

    private static String quoted(String text) {
        return text == null ? "null" : "\"" + text + "\"";
    }

    private static Row row(long index, String name, String ssn, String sex, String age) {
        return ConnectJson.read(record(index, name, ssn, sex, age));
    }

    private Transforms transforms(String names) {
        return Transforms.parse(List.of(names.split(",")), "mysql.transforms", settings::get, false);
    }

    private RecordTransform only(String name) {
        return transforms(name).chain().get(0);
    }

    @Test
    void replaceFieldDropsKeepsAndRenamesInSchemaAndPayload() {
        settings.put("mysql.transforms.t.type", "org.apache.kafka.connect.transforms.ReplaceField$Value");
        settings.put("mysql.transforms.t.exclude", "ssn");
        settings.put("mysql.transforms.t.renames", "name:full_name");
        Row out = only("t").apply(row(1, "Ann", "123-45-6789", "F", "42"), ORIGIN);
        assertThat(out.schema().fields()).extracting(Field::name).containsExactly("index", "full_name", "sex", "age");
        assertThat(out.values()).containsOnlyKeys("index", "full_name", "sex", "age").containsEntry("full_name", "Ann");
        assertThat(ConnectJson.payloadLine(out)).isEqualTo("{\"index\":1,\"full_name\":\"Ann\",\"sex\":\"F\",\"age\":\"42\"}");

        settings.put("mysql.transforms.k.type", "ReplaceField");
        settings.put("mysql.transforms.k.include", "index,sex");
        assertThat(only("k").apply(row(1, "Ann", "x", "F", "42"), ORIGIN).values()).containsOnlyKeys("index", "sex");
    }

    @Test
    void theChangedSchemaIsOneInstancePerInputSchemaAndTheCacheStaysSmall() {
        settings.put("mysql.transforms.t.type", "ReplaceField");
        settings.put("mysql.transforms.t.exclude", "ssn");
        RecordTransform drop = only("t");
        assertThat(drop.apply(row(1, "a", "b", "F", "1"), ORIGIN).schema())
                .isSameAs(drop.apply(row(2, "c", "d", "M", "2"), ORIGIN).schema());
        // plain JSON: a schema inferred per record, equal for records of one shape
        Row plainOne = ConnectJson.read("{\"index\":1,\"ssn\":\"x\"}");
        Row plainTwo = ConnectJson.read("{\"index\":2,\"ssn\":\"y\"}");
        assertThat(drop.apply(plainOne, ORIGIN).schema()).isSameAs(drop.apply(plainTwo, ORIGIN).schema());
        // a topic of ever new shapes: the cache keeps the newest 1,000, the transform still works
        for (int i = 0; i < 2_000; i++) {
            assertThat(drop.apply(ConnectJson.read("{\"f" + i + "\":1,\"ssn\":\"x\"}"), ORIGIN).values()).containsOnlyKeys("f" + i);
        }
    }

    @Test
    void maskFieldBlanksValuesAndKeepsTheSchema() {
        settings.put("mysql.transforms.m.type", "MaskField");
        settings.put("mysql.transforms.m.fields", "ssn,name,index");
        Row in = row(7, "Ann", "123-45-6789", null, "42");
        Row out = only("m").apply(in, ORIGIN);
        assertThat(out.schema()).isSameAs(in.schema());
        assertThat(out.values()).containsEntry("ssn", "").containsEntry("name", "").containsEntry("index", 0L).containsEntry("sex", null);

        settings.put("mysql.transforms.r.type", "MaskField");
        settings.put("mysql.transforms.r.fields", "ssn");
        settings.put("mysql.transforms.r.replacement", "***");
        assertThat(only("r").apply(in, ORIGIN).get("ssn")).isEqualTo("***");
    }

    @Test
    void insertFieldAddsWhereTheRecordCameFrom() {
        settings.put("mysql.transforms.i.type", "InsertField");
        settings.put("mysql.transforms.i.topic.field", "src_topic");
        settings.put("mysql.transforms.i.offset.field", "src_offset");
        settings.put("mysql.transforms.i.partition.field", "src_partition");
        settings.put("mysql.transforms.i.timestamp.field", "src_time");
        settings.put("mysql.transforms.i.static.field", "pipeline");
        settings.put("mysql.transforms.i.static.value", "eu-1");
        Row out = only("i").apply(row(1, "Ann", null, "F", "1"), ORIGIN);
        assertThat(out.schema().fields().subList(5, 10)).containsExactly(Field.of("src_topic", FieldType.STRING, true),
                Field.of("src_partition", FieldType.INT32, true), Field.of("src_offset", FieldType.INT64, true),
                Field.of("src_time", FieldType.TIMESTAMP, true), Field.of("pipeline", FieldType.STRING, true));
        assertThat(out.values()).containsEntry("src_topic", "P_USERS").containsEntry("src_partition", 2).containsEntry("src_offset", 41L)
                .containsEntry("src_time", LocalDateTime.of(2025, 11, 24, 16, 0, 0, 123_000_000)).containsEntry("pipeline", "eu-1");
    }

    @Test
    void filterKeepsOrDropsByAFieldsValue() {
        settings.put("mysql.transforms.f.type", "Filter");
        settings.put("mysql.transforms.f.field", "sex");
        settings.put("mysql.transforms.f.values", "F");
        settings.put("mysql.transforms.f.action", "keep");
        RecordTransform keepF = only("f");
        assertThat(keepF.apply(row(1, "Ann", null, "F", "1"), ORIGIN)).isNotNull();
        assertThat(keepF.apply(row(2, "Bob", null, "M", "1"), ORIGIN)).isNull();
        assertThat(keepF.apply(row(3, "Cy", null, null, "1"), ORIGIN)).isNull();

        settings.put("mysql.transforms.d.type", "Filter");
        settings.put("mysql.transforms.d.field", "sex");
        settings.put("mysql.transforms.d.values", "M,null");
        RecordTransform dropMAndNull = only("d");
        assertThat(dropMAndNull.apply(row(1, "Ann", null, "F", "1"), ORIGIN)).isNotNull();
        assertThat(dropMAndNull.apply(row(2, "Bob", null, "M", "1"), ORIGIN)).isNull();
        assertThat(dropMAndNull.apply(row(3, "Cy", null, null, "1"), ORIGIN)).isNull();
    }

    @Test
    void castChangesTypesAndFailsARecordWhoseValueDoesNotFit() {
        settings.put("mysql.transforms.c.type", "Cast");
        settings.put("mysql.transforms.c.spec", "age:int32,index:string");
        RecordTransform cast = only("c");
        Row out = cast.apply(row(5, "Ann", null, "F", "42"), ORIGIN);
        assertThat(out.schema().field("age")).isEqualTo(Field.of("age", FieldType.INT32, true));
        assertThat(out.schema().field("index")).isEqualTo(Field.of("index", FieldType.STRING, false));
        assertThat(out.values()).containsEntry("age", 42).containsEntry("index", "5");
        assertThatThrownBy(() -> cast.apply(row(6, "Bob", null, "M", "forty"), ORIGIN)).isInstanceOf(TransformException.class)
                .hasMessage("field 'age' cannot be cast to int32: 'forty'");
    }

    @Test
    void hashFieldIsHmacSha256OfTheValueUnderTheKey() {
        // RFC 4231, test case 2
        settings.put("mysql.transforms.h.type", "HashField");
        settings.put("mysql.transforms.h.fields", "name");
        settings.put("mysql.transforms.h.key", "Jefe");
        Row out = only("h").apply(row(1, "what do ya want for nothing?", null, "F", "1"), ORIGIN);
        assertThat(out.get("name")).isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        // a number is hashed as its digits, and becomes a string field
        settings.put("mysql.transforms.n.type", "HashField");
        settings.put("mysql.transforms.n.fields", "index");
        settings.put("mysql.transforms.n.key", "Jefe");
        Row hashedIndex = only("n").apply(row(12, "x", null, "F", "1"), ORIGIN);
        assertThat(hashedIndex.schema().field("index").type()).isEqualTo(FieldType.STRING);
        assertThat(hashedIndex.get("index")).isEqualTo(((HashField) only("h")).hash("12".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aBadTransformSettingIsNamedAndASecretKeyNeverShown() {
        settings.put("mysql.transforms.t.type", "RenameField");
        assertThatThrownBy(() -> transforms("t")).hasMessage("Invalid configuration: mysql.transforms.t.type = 'RenameField' must be one "
                + "of ReplaceField, MaskField, InsertField, Filter, Cast, HashField");
        assertThatThrownBy(() -> transforms("missing")).hasMessage("Invalid configuration: mysql.transforms.missing.type is missing");
        settings.put("mysql.transforms.c.type", "Cast");
        settings.put("mysql.transforms.c.spec", "age:integer");
        assertThatThrownBy(() -> transforms("c")).hasMessageStartingWith("Invalid configuration: mysql.transforms.c.spec = 'age:integer' must be field:type pairs");
        settings.put("mysql.transforms.k.type", "ReplaceField$Key");
        assertThatThrownBy(() -> transforms("k")).hasMessageContaining("mysql.transforms.k.type = 'ReplaceField$Key' transforms the record key");
        settings.put("mysql.transforms.h.type", "HashField");
        settings.put("mysql.transforms.h.fields", "mail");
        assertThatThrownBy(() -> transforms("h")).hasMessage("Invalid configuration: mysql.transforms.h.key is missing: HashField needs a secret key");
        settings.put("mysql.transforms.f.type", "Filter");
        settings.put("mysql.transforms.f.field", "sex");
        settings.put("mysql.transforms.f.values", "F");
        settings.put("mysql.transforms.f.action", "retain");
        assertThatThrownBy(() -> transforms("f")).hasMessage("Invalid configuration: mysql.transforms.f.action = 'retain' must be drop or keep");
    }

    @Test
    void aMisspeltOptionStopsStartUpInsteadOfBeingIgnored() {
        settings.put("mysql.transforms.onlyF.type", "Filter");
        settings.put("mysql.transforms.onlyF.field", "sex");
        settings.put("mysql.transforms.onlyF.values", "F");
        settings.put("mysql.transforms.onlyF.acton", "keep");
        assertThatThrownBy(() -> Transforms.parse(List.of("onlyF"), "mysql.transforms", settings::get, false, settings.keySet()))
                .hasMessage("Invalid configuration: mysql.transforms.onlyF.acton is not an option of Filter (its options: type, field, "
                        + "values, action)");
        settings.remove("mysql.transforms.onlyF.acton");
        settings.put("mysql.transforms.onlyF.action", "keep");
        assertThat(Transforms.parse(List.of("onlyF"), "mysql.transforms", settings::get, false, settings.keySet()).isEmpty()).isFalse();
    }

    @Test
    void theRouteStepLeavesWhatItMadeBesideTheBatchAndTheRecordsAsPolled() throws Exception {
        settings.put("mysql.transforms.drop.type", "ReplaceField");
        settings.put("mysql.transforms.drop.exclude", "ssn");
        settings.put("mysql.transforms.onlyF.type", "Filter");
        settings.put("mysql.transforms.onlyF.field", "sex");
        settings.put("mysql.transforms.onlyF.values", "F");
        settings.put("mysql.transforms.onlyF.action", "keep");
        settings.put("mysql.transforms.age.type", "Cast");
        settings.put("mysql.transforms.age.spec", "age:int32");
        Transforms chain = transforms("drop,onlyF,age");
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            List<String> values = new ArrayList<>(List.of(record(1, "Ann", "1", "F", "30"), record(2, "Bob", "2", "M", "31"),
                    record(3, "Cy", "3", "F", "thirty"), "not json"));
            values.add(null); // a tombstone
            List<Exchange> polled = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                Exchange record = new DefaultExchange(context);
                record.getMessage().setBody(values.get(i) == null ? null : values.get(i).getBytes(StandardCharsets.UTF_8));
                record.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, manualCommit(i));
                polled.add(record);
            }
            Exchange batch = new DefaultExchange(context);
            batch.getMessage().setBody(polled);
            chain.apply(batch);
            List<SinkRecord> records = KafkaBatch.remember(batch);
            // as polled: a dead letter carries the original bytes
            assertThat(new String(records.get(0).valueBytes(), StandardCharsets.UTF_8)).isEqualTo(values.get(0));
            assertThat(records.get(0).transformed().value().values()).containsOnlyKeys("index", "name", "sex", "age").containsEntry("age", 30);
            assertThat(records.get(1).transformed().dropped()).isTrue();
            assertThat(records.get(2).transformed().failure()).isEqualTo("a transform could not handle it: field 'age' cannot be cast to int32: 'thirty'");
            // what the sink reads itself: it rejects or deletes it as it always did
            assertThat(records.get(3).transformed()).isNull();
            assertThat(records.get(4).transformed()).isNull();
        }
    }

    @Test
    void aRecordWithoutASchemaIsLeftToASinkThatStoresOneAndAnyFailureIsTheRecordsOwn() throws Exception {
        settings.put("mysql.transforms.drop.type", "ReplaceField");
        settings.put("mysql.transforms.drop.exclude", "ssn");
        settings.put("mysql.transforms.mask.type", "MaskField");
        settings.put("mysql.transforms.mask.fields", "when");
        settings.put("mysql.transforms.mask.replacement", "12");
        String dated = "{\"schema\":{\"type\":\"struct\",\"optional\":false,\"fields\":[{\"field\":\"when\",\"type\":\"int32\","
                + "\"name\":\"org.apache.kafka.connect.data.Date\",\"optional\":true}]},\"payload\":{\"when\":20000}}";
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            List<Exchange> polled = new ArrayList<>();
            for (String value : List.of("{\"index\":1,\"ssn\":\"x\"}", dated)) {
                Exchange record = new DefaultExchange(context);
                record.getMessage().setBody(value.getBytes(StandardCharsets.UTF_8));
                polled.add(record);
            }
            Exchange batch = new DefaultExchange(context);
            batch.getMessage().setBody(polled);
            Transforms.parse(List.of("drop"), "mysql.transforms", settings::get, true).apply(batch);
            // Avro and Parquet need the schema a plain JSON object lacks: the sink makes it a dead letter itself
            assertThat(polled.get(0).getProperty(KafkaBatch.TRANSFORMED)).isNull();
            Transforms.parse(List.of("mask"), "mysql.transforms", settings::get, false).apply(batch);
            assertThat(polled.get(1).getProperty(KafkaBatch.TRANSFORMED, SinkRecord.Transformed.class).failure())
                    .isEqualTo("a transform could not handle it: field 'when' cannot be given a value of type date from '12'");
        }
    }

    @Test
    void aRouteOfTheUsersOwnSeesEachRecordAndCamelsStepsFilterChangeAndFailIt() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new org.apache.camel.builder.RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:mysql-record").routeId("mysql-record")
                            .filter(simple("${body[sex]} != 'F'")).stop().end()
                            .choice().when(simple("${body[name]} == 'boom'")).throwException(new IllegalStateException("no booms")).end()
                            .script(simple("${body.put('checked', 'yes')}"))
                            .script(simple("${body.remove('ssn')}"));
                }
            });
            context.start();
            List<Exchange> polled = new ArrayList<>();
            for (String value : List.of(record(1, "Ann", "1", "F", "30"), record(2, "Bob", "2", "M", "31"), record(3, "boom", "3", "F", "32"))) {
                Exchange record = new DefaultExchange(context);
                record.getMessage().setBody(value.getBytes(StandardCharsets.UTF_8));
                polled.add(record);
            }
            Exchange batch = new DefaultExchange(context);
            batch.getMessage().setBody(polled);
            Transforms.parse(List.of(), "mysql.transforms", settings::get, false).withRecordRoute("mysql-record").apply(batch);
            SinkRecord.Transformed kept = polled.get(0).getProperty(KafkaBatch.TRANSFORMED, SinkRecord.Transformed.class);
            assertThat(kept.value().schema().fields()).extracting(Field::name).containsExactly("index", "name", "sex", "age", "checked");
            assertThat(kept.value().schema().field("checked")).isEqualTo(Field.of("checked", FieldType.STRING, true));
            assertThat(kept.value().values()).containsEntry("checked", "yes").containsEntry("index", 1L).doesNotContainKey("ssn");
            assertThat(polled.get(1).getProperty(KafkaBatch.TRANSFORMED, SinkRecord.Transformed.class).dropped()).isTrue();
            assertThat(polled.get(2).getProperty(KafkaBatch.TRANSFORMED, SinkRecord.Transformed.class).failure())
                    .isEqualTo("a transform could not handle it: the route mysql-record failed on it: no booms");
            // a flow without such a route: the step leaves its batch alone
            Exchange other = new DefaultExchange(context);
            other.getMessage().setBody(record(4, "Di", "4", "F", "1").getBytes(StandardCharsets.UTF_8));
            Exchange otherBatch = new DefaultExchange(context);
            otherBatch.getMessage().setBody(List.of(other));
            Transforms.parse(List.of(), "s3.transforms", settings::get, false).withRecordRoute("s3-record").apply(otherBatch);
            assertThat(other.getProperty(KafkaBatch.TRANSFORMED)).isNull();
        }
    }

    @Test
    void noTransformsLeaveTheBatchAlone() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Exchange record = new DefaultExchange(context);
            record.getMessage().setBody("{\"index\":1}".getBytes(StandardCharsets.UTF_8));
            Exchange batch = new DefaultExchange(context);
            batch.getMessage().setBody(List.of(record));
            Transforms.parse(List.of(), "mysql.transforms", settings::get, false).apply(batch);
            assertThat(record.getProperty(KafkaBatch.TRANSFORMED)).isNull();
        }
    }

    private static Object manualCommit(long offset) {
        return new org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommitFactory().newInstance(
                new org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory.CamelExchangePayload(null, null, "test", null),
                new org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory.KafkaRecordPayload(
                        new org.apache.kafka.common.TopicPartition("P_USERS", 0), offset, 1000), null);
    }

}
