package source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableQueryTest {

    @Test
    void incrementingQueryQuotesKeywordsAndOrdersByTheColumn() {
        assertThat(TableQuery.incrementing("USERS", "index"))
                .isEqualTo("SELECT * FROM \"USERS\" WHERE \"index\" > ? ORDER BY \"index\" ASC LIMIT ?");
    }

    @Test
    void quotesHostileIdentifiersSoTheyStayIdentifiers() {
        assertThat(TableQuery.quote("we\"ird; DROP TABLE x")).isEqualTo("\"we\"\"ird; DROP TABLE x\"");
        assertThatThrownBy(() -> TableQuery.quote("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TableQuery.quote("a\0b")).isInstanceOf(IllegalArgumentException.class);
    }
}
