package s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import s3.UploadedObjects.StoredRange;

class CommitPointTest {

    private static StoredRange uploaded(long first, long last) {
        return new StoredRange("k" + first, first, last);
    }

    @Test
    void everythingUploadedCommitsTheNextOffset() {
        assertThat(S3Objects.commitPoint(100, List.of(), List.of(uploaded(0, 49), uploaded(50, 99)))).isEqualTo(100);
    }

    @Test
    void stopsAtTheFirstRecordOfAnObjectNotYetUploaded() {
        assertThat(S3Objects.commitPoint(100, List.of(60L, 80L), List.of(uploaded(0, 59)))).isEqualTo(60);
    }

    @Test
    void neverStopsInsideAnUploadedObject() {
        // folder A holds 1,3,5 (uploaded), folder B holds 2,4 (open): committing 2 would leave 3 and 5 in an
        // object that starts before the commit, where a listing from the commit does not look
        assertThat(S3Objects.commitPoint(6, List.of(2L), List.of(uploaded(1, 5)))).isEqualTo(1);
        // and the same through a chain of objects
        assertThat(S3Objects.commitPoint(20, List.of(15L), List.of(uploaded(10, 16), uploaded(4, 12), uploaded(0, 3)))).isEqualTo(4);
    }

    @Test
    void stopsAtADeadLetterNotYetSent() {
        assertThat(S3Objects.commitPoint(100, List.of(42L), List.of())).isEqualTo(42);
    }
}
