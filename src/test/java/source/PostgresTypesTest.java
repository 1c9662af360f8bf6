package source;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Types;

import org.junit.jupiter.api.Test;
import record.FieldType;

class PostgresTypesTest {

    @Test
    void mapsPostgresColumnTypesToConnectTypes() {
        assertThat(PostgresTypes.typeOf(Types.SMALLINT, "int2")).isEqualTo(FieldType.INT16);
        assertThat(PostgresTypes.typeOf(Types.INTEGER, "int4")).isEqualTo(FieldType.INT32);
        assertThat(PostgresTypes.typeOf(Types.BIGINT, "int8")).isEqualTo(FieldType.INT64);
        assertThat(PostgresTypes.typeOf(Types.REAL, "float4")).isEqualTo(FieldType.FLOAT32);
        assertThat(PostgresTypes.typeOf(Types.DOUBLE, "float8")).isEqualTo(FieldType.FLOAT64);
        assertThat(PostgresTypes.typeOf(Types.NUMERIC, "numeric")).isEqualTo(FieldType.DECIMAL);
        assertThat(PostgresTypes.typeOf(Types.BIT, "bool")).isEqualTo(FieldType.BOOLEAN);
        assertThat(PostgresTypes.typeOf(Types.VARCHAR, "text")).isEqualTo(FieldType.STRING);
        assertThat(PostgresTypes.typeOf(Types.DATE, "date")).isEqualTo(FieldType.DATE);
        assertThat(PostgresTypes.typeOf(Types.TIMESTAMP, "timestamp")).isEqualTo(FieldType.TIMESTAMP);
        assertThat(PostgresTypes.typeOf(Types.TIMESTAMP_WITH_TIMEZONE, "timestamptz")).isEqualTo(FieldType.TIMESTAMP);
        assertThat(PostgresTypes.typeOf(Types.BINARY, "bytea")).isEqualTo(FieldType.BYTES);
        assertThat(PostgresTypes.typeOf(Types.OTHER, "uuid")).isEqualTo(FieldType.STRING);
        assertThat(PostgresTypes.typeOf(Types.OTHER, "jsonb")).isEqualTo(FieldType.STRING);
    }
}
