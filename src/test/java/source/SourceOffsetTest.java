package source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SourceOffsetTest {

    @Test
    void startIsBelowEveryValue() {
        assertThat(SourceOffset.START.lastIncrementing()).isLessThan(Long.MIN_VALUE + 1);
        assertThat(SourceOffset.START.advancedTo(-5).lastIncrementing()).isEqualTo(-5);
    }

    @Test
    void advancingReturnsANewOffsetAndLeavesTheOldOneAlone() {
        SourceOffset committed = new SourceOffset(10);
        SourceOffset next = committed.advancedTo(15);
        assertThat(next.lastIncrementing()).isEqualTo(15);
        assertThat(committed.lastIncrementing()).isEqualTo(10);
    }

    @Test
    void neverMovesBackwards() {
        assertThatThrownBy(() -> new SourceOffset(10).advancedTo(9)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void survivesItsStoredForm() {
        SourceOffset offset = new SourceOffset(1234567890123L);
        assertThat(SourceOffset.fromJson(offset.toJson())).isEqualTo(offset);
        assertThat(offset.toJson()).isEqualTo("{\"incrementing\":1234567890123}");
    }

    @Test
    void rejectsAnUnreadableStoredOffset() {
        assertThatThrownBy(() -> SourceOffset.fromJson("{\"incrementing\": \"x\"}")).hasMessageContaining("unreadable source offset");
        assertThatThrownBy(() -> SourceOffset.fromJson("garbage")).hasMessageContaining("unreadable source offset");
    }
}
