package s3;

import java.nio.file.Path;

/**
 * How the S3 sink cuts and writes objects.
 *
 * @param flushSize          records per object at most (s3.flush.size)
 * @param rotateIntervalMs   close an object once a record's time is this far past its first record's (0: off)
 * @param rotateScheduleMs   close an object this long after it was opened, by the wall clock (0: off)
 * @param partSize           objects larger than this upload in parts of this size (s3.part.size)
 * @param bufferDir          where objects are written until they are complete
 * @param parquetCodec       Parquet's column compression: uncompressed, snappy, gzip, zstd
 */
public record S3SinkSettings(String topicsDir, int flushSize, long rotateIntervalMs, long rotateScheduleMs,
                             ObjectFormat format, String parquetCodec, long partSize, Path bufferDir, boolean tolerateBadRecords) {
}
