package pipeline;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import localstack.LocalStack;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Reads back what the S3 sink wrote: every object under a topic's folder and its records. */
final class Lake implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    record StoredObject(String key, List<JsonNode> lines) {
    }

    private final S3Client client;
    private final String bucket;

    Lake(LocalStack stack, String bucket) {
        this.bucket = bucket;
        this.client = client(stack);
    }

    /** A client of the test stack's S3, as the pipeline configures it; interceptors see every request. */
    static S3Client client(LocalStack stack, ExecutionInterceptor... interceptors) {
        return S3Client.builder()
                .endpointOverride(URI.create(stack.connectionProperties().get("s3.endpoint")))
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(c -> java.util.Arrays.stream(interceptors).forEach(c::addExecutionInterceptor))
                .build();
    }

    /** Every object under the prefix with its records as JSON (JSON lines, gzip JSON lines, Avro or Parquet). */
    List<StoredObject> objects(String prefix) throws IOException {
        List<StoredObject> objects = new ArrayList<>();
        for (S3Object summary : client.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents()) {
            try {
                objects.add(new StoredObject(summary.key(), records(summary.key())));
            } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
                // S3Proxy lists the temporary file of an upload under way (real S3 never shows one); it is gone now
            }
        }
        return objects;
    }

    private List<JsonNode> records(String key) throws IOException {
        List<JsonNode> records = new ArrayList<>();
        try (InputStream content = client.getObject(r -> r.bucket(bucket).key(key))) {
            if (key.endsWith(".parquet")) {
                java.nio.file.Path file = java.nio.file.Files.createTempFile("lake", ".parquet");
                try {
                    java.nio.file.Files.write(file, content.readAllBytes());
                    try (ParquetReader<GenericRecord> parquet = AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file)).build()) {
                        for (GenericRecord record = parquet.read(); record != null; record = parquet.read()) {
                            records.add(MAPPER.readTree(record.toString()));
                        }
                    }
                } finally {
                    java.nio.file.Files.deleteIfExists(file);
                }
                return records;
            }
            if (key.endsWith(".avro")) {
                try (DataFileStream<GenericRecord> avro = new DataFileStream<>(content, new GenericDatumReader<>())) {
                    for (GenericRecord record : avro) {
                        records.add(MAPPER.readTree(record.toString()));
                    }
                }
                return records;
            }
            InputStream text = key.endsWith(".gz") ? new GZIPInputStream(content) : content;
            BufferedReader reader = new BufferedReader(new InputStreamReader(text, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                records.add(MAPPER.readTree(line));
            }
        }
        return records;
    }

    /** The Avro schema in an Avro object's header. */
    Schema avroSchema(String key) throws IOException {
        try (InputStream content = client.getObject(r -> r.bucket(bucket).key(key));
             DataFileStream<GenericRecord> avro = new DataFileStream<>(content, new GenericDatumReader<>())) {
            return avro.getSchema();
        }
    }

    HeadObjectResponse head(String key) {
        return client.headObject(r -> r.bucket(bucket).key(key));
    }

    /** Puts an object as a run of the pipeline would have, with the offset of its last record as metadata. */
    void put(String key, String content, long lastOffset) {
        client.putObject(r -> r.bucket(bucket).key(key).metadata(java.util.Map.of("last-offset", Long.toString(lastOffset))),
                software.amazon.awssdk.core.sync.RequestBody.fromString(content, StandardCharsets.UTF_8));
    }

    long recordCount(String prefix) throws IOException {
        return objects(prefix).stream().mapToLong(o -> o.lines().size()).sum();
    }

    @Override
    public void close() {
        client.close();
    }
}
