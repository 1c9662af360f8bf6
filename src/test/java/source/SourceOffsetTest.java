package source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import java.util.List;

import org.junit.jupiter.api.Test;

class SourceOffsetTest {

    private static SourceOffset.Position inc(long value) {
        return new SourceOffset.Position(null, value);
    }

    @Test
    void startIsBeforeEveryPosition() {
        assertThat(SourceOffset.Position.START.compareTo(inc(Long.MIN_VALUE))).isNegative();
        assertThat(SourceOffset.Position.START.compareTo(new SourceOffset.Position(LocalDateTime.MIN, null))).isNegative();
    }

    @Test
    void positionsOrderByTimestampThenIncrementing() {
        LocalDateTime t = LocalDateTime.of(2026, 1, 1, 0, 0);
        assertThat(new SourceOffset.Position(t, 9L).compareTo(new SourceOffset.Position(t.plusNanos(1000), 1L))).isNegative();
        assertThat(new SourceOffset.Position(t, 9L).compareTo(new SourceOffset.Position(t, 10L))).isNegative();
    }

    @Test
    void advancingReturnsANewOffsetAndLeavesTheOldOneAlone() {
        SourceOffset committed = new SourceOffset(inc(10), List.of());
        SourceOffset next = committed.advancedTo(inc(15), List.of());
        assertThat(next.position()).isEqualTo(inc(15));
        assertThat(committed.position()).isEqualTo(inc(10));
    }

    @Test
    void neverMovesBackwards() {
        assertThatThrownBy(() -> new SourceOffset(inc(10), List.of()).advancedTo(inc(9), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rowsSentAheadAreRememberedUntilTheSafePointPassesThem() {
        // row 11 committed while the transaction holding 10 was open: sent, remembered, safe point stays at 9
        SourceOffset waiting = new SourceOffset(inc(9), List.of()).advancedTo(inc(9), List.of(new SourceOffset.Sent(inc(11), "k11")));
        assertThat(waiting.wasSent("k11")).isTrue();
        assertThat(waiting.position()).isEqualTo(inc(9));
        // the older transaction committed: the safe point passes 11 and forgets it
        SourceOffset caughtUp = waiting.advancedTo(inc(11), List.of());
        assertThat(caughtUp.ahead()).isEmpty();
        assertThat(caughtUp.wasSent("k11")).isFalse();
    }

    @Test
    void survivesItsStoredForm() {
        SourceOffset offset = new SourceOffset(new SourceOffset.Position(LocalDateTime.of(2026, 11, 25, 10, 0, 0, 123_456_000), 42L),
                List.of(new SourceOffset.Sent(new SourceOffset.Position(LocalDateTime.of(2026, 11, 25, 10, 0, 1), 44L), "{\"index\":44}")));
        assertThat(SourceOffset.fromJson(offset.toJson())).isEqualTo(offset);
        assertThat(SourceOffset.fromJson("{\"incrementing\":1234567890123}").position()).isEqualTo(inc(1234567890123L));
        assertThat(new SourceOffset(inc(5), List.of()).toJson()).isEqualTo("{\"incrementing\":5}");
    }

    @Test
    void rejectsAnUnreadableStoredOffset() {
        assertThatThrownBy(() -> SourceOffset.fromJson("{\"incrementing\": \"x\"}")).hasMessageContaining("unreadable source offset");
        assertThatThrownBy(() -> SourceOffset.fromJson("garbage")).hasMessageContaining("unreadable source offset");
    }
}
