package s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Uploads a finished object from its buffer file: one PUT up to {@code s3.part.size}, a multipart upload
 * in parts of that size above it. Parts are read from the file as they are sent, so no part is ever held
 * in memory. The user metadata (the object's last offset) is set when the upload is created, which is
 * why objects are buffered until they are complete: S3 cannot change an object's metadata afterwards
 * without copying it, and Camel's aws2-s3 multipart upload does not send user metadata.
 */
public final class S3Uploads {

    private final S3Client client;
    private final String bucket;
    private final long partSize;

    public S3Uploads(S3Client client, String bucket, long partSize) {
        this.client = client;
        this.bucket = bucket;
        this.partSize = partSize;
    }

    public void upload(String key, Path file, Map<String, String> metadata) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (size <= partSize) {
            client.putObject(r -> r.bucket(bucket).key(key).metadata(metadata), RequestBody.fromFile(file));
            return;
        }
        String uploadId = client.createMultipartUpload(r -> r.bucket(bucket).key(key).metadata(metadata)).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            for (long position = 0; position < size; position += partSize) {
                int partNumber = parts.size() + 1;
                long start = position;
                long length = Math.min(partSize, size - position);
                String eTag = client.uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber),
                        RequestBody.fromContentProvider(() -> slice(file, start, length), length, "application/octet-stream")).eTag();
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(eTag).build());
            }
            client.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
        } catch (RuntimeException e) {
            try {
                client.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
            } catch (RuntimeException abortFailed) {
                e.addSuppressed(abortFailed); // S3 removes it by the bucket's lifecycle rule, if any
            }
            throw e;
        }
    }

    /** A fresh stream over one part of the file, each time the SDK asks (it may retry a part). */
    private static InputStream slice(Path file, long start, long length) {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ).position(start);
            InputStream whole = Channels.newInputStream(channel);
            return new InputStream() {
                private long remaining = length;

                @Override
                public int read() throws IOException {
                    if (remaining <= 0) {
                        return -1;
                    }
                    int b = whole.read();
                    if (b >= 0) {
                        remaining--;
                    }
                    return b;
                }

                @Override
                public int read(byte[] buffer, int offset, int count) throws IOException {
                    if (remaining <= 0) {
                        return -1;
                    }
                    int read = whole.read(buffer, offset, (int) Math.min(count, remaining));
                    if (read > 0) {
                        remaining -= read;
                    }
                    return read;
                }

                @Override
                public void close() throws IOException {
                    whole.close();
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
