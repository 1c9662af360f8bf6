package source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import progress.PipelineProgress;

/** When a source route polls: a fake clock stands in for time. */
class CapturePollsTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final PipelineProgress progress = new PipelineProgress();
    private final CapturePolls polls = new CapturePolls("USERS", progress, nanos::get);

    private void advanceMillis(long millis) {
        nanos.addAndGet(millis * 1_000_000L);
    }

    @Test
    void pollsFreelyUntilABatchDoesNotFillUpThenSkipsOnlyTheImmediatePoll() {
        assertThat(polls.begin(null, null)).isTrue();
        assertThat(polls.begin(null, null)).as("a full batch: the greedy consumer polls again at once").isTrue();
        polls.holdNextImmediatePoll();
        assertThat(polls.begin(null, null)).as("the greedy poll right after a batch that did not fill up").isFalse();
        assertThat(polls.begin(null, null)).as("the scheduled poll, source.poll.interval.ms later").isTrue();
    }

    @Test
    void failuresBackOffDoublingUpToThirtySecondsAndASuccessEndsIt() {
        polls.rollback(null, null, 0, new IllegalStateException("connection refused"));
        assertThat(polls.begin(null, null)).isFalse();
        advanceMillis(499);
        assertThat(polls.begin(null, null)).isFalse();
        advanceMillis(1);
        assertThat(polls.begin(null, null)).as("after 0.5 s").isTrue();

        polls.failed("connection refused");
        advanceMillis(999);
        assertThat(polls.begin(null, null)).isFalse();
        advanceMillis(1);
        assertThat(polls.begin(null, null)).as("after 1 s, the second failure in a row").isTrue();

        for (int i = 0; i < 20; i++) {
            polls.failed("connection refused");
        }
        advanceMillis(29_999);
        assertThat(polls.begin(null, null)).isFalse();
        advanceMillis(1);
        assertThat(polls.begin(null, null)).as("never more than 30 s").isTrue();
        assertThat(progress.total("source-USERS errors")).isEqualTo(22);

        polls.succeeded();
        polls.failed("connection refused");
        advanceMillis(500);
        assertThat(polls.begin(null, null)).as("a success starts the doubling again").isTrue();
    }

    @Test
    void aPollThatFindsNothingNewAlsoEndsTheFailuresInARow() {
        polls.failed("connection refused");
        polls.failed("connection refused");
        advanceMillis(1_000);
        assertThat(polls.begin(null, null)).isTrue();
        polls.commit(null, null, 0); // the table answered, with no new rows
        polls.failed("connection refused");
        advanceMillis(500);
        assertThat(polls.begin(null, null)).as("the first failure of a new series waits 0.5 s").isTrue();
    }

    @Test
    void backoffDoublesFromHalfASecond() {
        assertThat(CapturePolls.backoff(1).toMillis()).isEqualTo(500);
        assertThat(CapturePolls.backoff(2).toMillis()).isEqualTo(1_000);
        assertThat(CapturePolls.backoff(6).toMillis()).isEqualTo(16_000);
        assertThat(CapturePolls.backoff(7).toMillis()).isEqualTo(30_000);
        assertThat(CapturePolls.backoff(1_000).toMillis()).isEqualTo(30_000);
    }
}
