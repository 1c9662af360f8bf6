package s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;
import record.ConnectJson;
import record.Field;
import record.FieldType;
import record.RecordFormatException;
import record.RecordSchema;
import record.Row;
import sink.SinkRecord;

class ObjectFormatTest {

    private static final RecordSchema USERS = new RecordSchema("P_USERS", List.of(
            Field.of("index", FieldType.INT64, false), Field.of("name", FieldType.STRING, true)));

    private static SinkRecord record(long index, String name) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("index", index);
        values.put("name", name);
        return SinkRecord.of("P_USERS", 0, index, 0, null, new ConnectJson(true).write(new Row(USERS, values)));
    }

    private static List<String> write(ObjectFormat format, String codec, ByteArrayOutputStream out, SinkRecord... records) throws Exception {
        ObjectFormat.RecordEncoder encoder = format.open(out, ConnectJson.read(records[0].value()), codec);
        List<String> rejected = new ArrayList<>();
        for (SinkRecord record : records) {
            try {
                encoder.write(record, ConnectJson.read(record.value()));
            } catch (RecordFormatException e) {
                rejected.add(e.getMessage());
            }
        }
        encoder.finish();
        return rejected;
    }

    @Test
    void jsonLinesHoldThePayloadsOnly() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(ObjectFormat.JSON, "", out, record(1, "Ann"), record(2, "Bob \"the\" builder"));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"index\":1,\"name\":\"Ann\"}\n{\"index\":2,\"name\":\"Bob \\\"the\\\" builder\"}\n");
    }

    @Test
    void gzipJsonLinesDecompressToTheSameLines() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(ObjectFormat.JSON_GZIP, "", out, record(1, "Ann"));
        assertThat(new String(new GZIPInputStream(new ByteArrayInputStream(out.toByteArray())).readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo("{\"index\":1,\"name\":\"Ann\"}\n");
    }

    @Test
    void avroFilesCarryTheSchemaAndEveryRecord() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(ObjectFormat.AVRO, "", out, record(1, "Ann"), record(2, null));
        try (DataFileStream<GenericRecord> avro = new DataFileStream<>(new ByteArrayInputStream(out.toByteArray()), new GenericDatumReader<>())) {
            assertThat(avro.getSchema().getName()).isEqualTo("P_USERS");
            List<String> read = new ArrayList<>();
            avro.forEach(r -> read.add(r.get("index") + ":" + r.get("name")));
            assertThat(read).containsExactly("1:Ann", "2:null");
        }
    }

    @Test
    void anObjectOfOneSchemaDoesNotTakeARecordOfAnother() throws Exception {
        ObjectFormat.RecordEncoder avro = ObjectFormat.AVRO.open(new ByteArrayOutputStream(), ConnectJson.read(record(1, "Ann").value()), "");
        Row other = new Row(new RecordSchema("P_USERS", List.of(Field.of("index", FieldType.INT64, false))), Map.of("index", 3L));
        assertThat(avro.accepts(ConnectJson.read(record(2, "Bob").value()))).isTrue();
        assertThat(avro.accepts(other)).isFalse(); // a column was dropped: the sink starts a new object
        assertThatThrownBy(() -> ObjectFormat.of("orc", "none")).hasMessageContaining("json, avro or parquet");
        assertThatThrownBy(() -> ObjectFormat.of("json", "zip")).hasMessageContaining("none or gzip");
    }

    @Test
    void parquetFilesHoldEveryRecordWithItsTypes() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(ObjectFormat.PARQUET, "snappy", out, record(1, "Ann"), record(2, null), record(3, "Cy"));
        Path file = Files.createTempFile("format", ".parquet");
        try {
            Files.write(file, out.toByteArray());
            List<String> read = new ArrayList<>();
            try (ParquetReader<GenericRecord> parquet = AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file)).build()) {
                for (GenericRecord r = parquet.read(); r != null; r = parquet.read()) {
                    read.add(r.get("index") + ":" + r.get("name"));
                }
            }
            assertThat(read).containsExactly("1:Ann", "2:null", "3:Cy");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
