package source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableQueryTest {

    private static final String AGES = ", age(t.xmin) AS \"__pipeline_row_xid_age\", "
            + "age(pg_snapshot_xmin(pg_current_snapshot())::xid) AS \"__pipeline_horizon_xid_age\"";

    @Test
    void incrementingReadsRowsAfterTheOffsetInOrder() {
        assertThat(TableQuery.select(CaptureMode.INCREMENTING, "USERS", null, "index", "timestamp"))
                .isEqualTo("SELECT t.*" + AGES + " FROM \"USERS\" t WHERE t.\"index\" > ? ORDER BY t.\"index\" ASC LIMIT ?");
    }

    @Test
    void timestampModesStopShortOfTheDelayAndOrderByTimestampThenIncrementing() {
        assertThat(TableQuery.select(CaptureMode.TIMESTAMP, "USERS", null, "index", "timestamp"))
                .endsWith(" WHERE t.\"timestamp\" > ? AND t.\"timestamp\" < LOCALTIMESTAMP - make_interval(secs => ?)"
                        + " ORDER BY t.\"timestamp\" ASC LIMIT ?");
        assertThat(TableQuery.select(CaptureMode.TIMESTAMP_INCREMENTING, "USERS", null, "index", "timestamp"))
                .endsWith(" WHERE ((t.\"timestamp\" = ? AND t.\"index\" > ?) OR t.\"timestamp\" > ?) AND t.\"timestamp\" < "
                        + "LOCALTIMESTAMP - make_interval(secs => ?) ORDER BY t.\"timestamp\" ASC, t.\"index\" ASC LIMIT ?");
    }

    @Test
    void bulkAndCustomQueriesReadWithoutTransactionAges() {
        assertThat(TableQuery.select(CaptureMode.BULK, "USERS", null, "index", "timestamp")).isEqualTo("SELECT t.* FROM \"USERS\" t");
        assertThat(TableQuery.select(CaptureMode.INCREMENTING, null, "SELECT id AS \"index\" FROM a JOIN b USING (id)", "index", "ts"))
                .isEqualTo("SELECT t.* FROM (SELECT id AS \"index\" FROM a JOIN b USING (id)) t WHERE t.\"index\" > ? ORDER BY t.\"index\" ASC LIMIT ?");
    }

    @Test
    void quotesHostileIdentifiersSoTheyStayIdentifiers() {
        assertThat(TableQuery.quote("we\"ird; DROP TABLE x")).isEqualTo("\"we\"\"ird; DROP TABLE x\"");
        assertThatThrownBy(() -> TableQuery.quote("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TableQuery.quote("a\0b")).isInstanceOf(IllegalArgumentException.class);
    }
}
