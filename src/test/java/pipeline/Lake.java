package pipeline;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import localstack.LocalStack;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Reads back what the S3 sink wrote: every object under a topic's folder and its JSON lines. */
final class Lake implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    record StoredObject(String key, List<JsonNode> lines) {
    }

    private final S3Client client;
    private final String bucket;

    Lake(LocalStack stack, String bucket) {
        this.bucket = bucket;
        this.client = S3Client.builder()
                .endpointOverride(URI.create(stack.connectionProperties().get("s3.endpoint")))
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    List<StoredObject> objects(String prefix) throws IOException {
        List<StoredObject> objects = new ArrayList<>();
        for (S3Object summary : client.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents()) {
            List<JsonNode> lines = new ArrayList<>();
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                    client.getObject(r -> r.bucket(bucket).key(summary.key())), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lines.add(MAPPER.readTree(line));
                }
            }
            objects.add(new StoredObject(summary.key(), lines));
        }
        return objects;
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
