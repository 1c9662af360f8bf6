package localstack;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/** An S3-compatible endpoint (S3Proxy over a local folder) that checks AWS v4 signatures like real S3. */
public final class EmbeddedS3 implements AutoCloseable {

    public static final String ACCESS_KEY = "local-access-key";
    public static final String SECRET_KEY = "local-secret-key";
    public static final String REGION = "us-east-1";

    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final String endpoint;
    private final Path dir;

    private EmbeddedS3(S3Proxy proxy, BlobStoreContext context, String endpoint, Path dir) {
        this.proxy = proxy;
        this.context = context;
        this.endpoint = endpoint;
        this.dir = dir;
    }

    public static EmbeddedS3 start(Path dir) throws Exception {
        Files.createDirectories(dir);
        Properties blobProps = new Properties();
        blobProps.setProperty("jclouds.filesystem.basedir", dir.toAbsolutePath().toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem-nio2")
                .credentials("identity", "credential")
                .overrides(blobProps)
                .build(BlobStoreContext.class);
        String endpoint = "http://127.0.0.1:" + FreePorts.next();
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create(endpoint))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        while (!proxy.getState().equals("STARTED")) {
            Thread.sleep(10);
        }
        return new EmbeddedS3(proxy, context, endpoint, dir);
    }

    public String endpoint() {
        return endpoint;
    }

    public void createBucket(String bucket) {
        BlobStore store = context.getBlobStore();
        store.createContainerInLocation(null, bucket);
    }

    /**
     * Deletes what an upload cut short by a killed client leaves behind (the filesystem store keeps its
     * temporary file, and listing the bucket then fails with HTTP 500). Real S3 never shows a partial
     * upload; tests that kill the pipeline mid-upload call this to get the same behaviour.
     */
    public void removeAbandonedUploads(String bucket) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(dir.resolve(bucket))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".json") && !name.endsWith(".json.gz")) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /** Stops answering requests (an S3 outage); {@link #resume()} serves the same data again. */
    public void pause() throws Exception {
        proxy.stop();
    }

    public void resume() throws Exception {
        proxy.start();
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
