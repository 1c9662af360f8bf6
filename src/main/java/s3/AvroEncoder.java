package s3;

import java.io.IOException;
import java.io.OutputStream;

import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import record.RecordFormatException;
import record.RecordSchema;
import record.Row;
import sink.SinkRecord;

/** An Avro object container file: the schema in its header, records in deflate-compressed blocks. */
final class AvroEncoder implements ObjectFormat.RecordEncoder {

    private final RecordSchema recordSchema;
    private final Schema schema;
    private final DataFileWriter<GenericRecord> writer;

    AvroEncoder(OutputStream out, RecordSchema recordSchema) throws IOException {
        this.recordSchema = recordSchema;
        this.schema = AvroSchemas.of(recordSchema);
        this.writer = new DataFileWriter<GenericRecord>(new GenericDatumWriter<>(schema))
                .setCodec(CodecFactory.deflateCodec(CodecFactory.DEFAULT_DEFLATE_LEVEL))
                .create(schema, out);
    }

    @Override
    public boolean accepts(Row value) {
        return value.schema().equals(recordSchema);
    }

    @Override
    public void write(SinkRecord record, Row value) throws IOException {
        GenericRecord avro = AvroSchemas.toAvro(schema, value);
        // checked before appending: a record that failed half-way would leave its bytes in the block
        if (!GenericData.get().validate(schema, avro)) {
            throw new RecordFormatException("does not match the Avro schema " + schema.getFullName());
        }
        writer.append(avro);
    }

    @Override
    public void finish() throws IOException {
        writer.close();
    }

    @Override
    public void abandon() {
        try {
            writer.close();
        } catch (IOException | RuntimeException ignored) {
            // the object is being thrown away
        }
    }
}
