package s3;

import java.io.IOException;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import record.RecordFormatException;
import record.RecordSchema;
import record.Row;
import sink.SinkRecord;

/**
 * The formats that store a schema (Avro, Parquet): one schema per object, each record turned into an
 * Avro record of it and checked before it is appended.
 */
abstract class AvroRecordEncoder implements ObjectFormat.RecordEncoder {

    private final RecordSchema recordSchema;
    protected final Schema schema;

    AvroRecordEncoder(RecordSchema recordSchema) {
        this.recordSchema = recordSchema;
        this.schema = AvroSchemas.of(recordSchema);
    }

    @Override
    public boolean accepts(Row value) {
        return value.schema().equals(recordSchema);
    }

    @Override
    public void write(SinkRecord record, Row value) throws IOException {
        GenericRecord avro = AvroSchemas.toAvro(schema, value);
        // checked before appending: a record that failed half-way would leave its bytes in the file
        if (!GenericData.get().validate(schema, avro)) {
            throw new RecordFormatException("does not match the schema " + schema.getFullName());
        }
        append(avro);
    }

    protected abstract void append(GenericRecord record) throws IOException;

    @Override
    public void abandon() {
        try {
            finish();
        } catch (IOException | RuntimeException ignored) {
            // the object is being thrown away
        }
    }
}
