package mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import record.Field;
import record.FieldType;
import record.RecordSchema;

class MySqlDialectTest {

    private static final RecordSchema USERS = new RecordSchema("USERS", List.of(
            Field.of("index", FieldType.INT64, false),
            Field.of("name", FieldType.STRING, true),
            Field.of("birthdate", FieldType.DATE, true),
            Field.of("timestamp", FieldType.TIMESTAMP, false),
            new Field("balance", FieldType.DECIMAL, true, 2)));

    @Test
    void createsTheTableFromTheSchemaWithThePrimaryKey() {
        assertThat(MySqlDialect.createTable("P_USERS", USERS, List.of("index"))).isEqualTo("""
                CREATE TABLE IF NOT EXISTS `P_USERS` (
                  `index` BIGINT NOT NULL,
                  `name` TEXT NULL,
                  `birthdate` DATE NULL,
                  `timestamp` DATETIME(3) NOT NULL,
                  `balance` DECIMAL(65,2) NULL,
                  PRIMARY KEY (`index`)
                ) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin""");
    }

    @Test
    void textAndBytesKeysBecomeIndexableColumns() {
        assertThat(MySqlDialect.columnType(Field.of("id", FieldType.STRING, false), true)).isEqualTo("VARCHAR(255)");
        assertThat(MySqlDialect.columnType(Field.of("id", FieldType.STRING, false), false)).isEqualTo("TEXT");
        assertThat(MySqlDialect.columnType(Field.of("id", FieldType.BYTES, false), true)).isEqualTo("VARBINARY(255)");
    }

    @Test
    void upsertUpdatesEveryNonKeyColumnForEachRow() {
        assertThat(MySqlDialect.upsert("T", List.of("index", "name"), List.of("index"), 2)).isEqualTo(
                "INSERT INTO `T` (`index`, `name`) VALUES (?, ?), (?, ?) ON DUPLICATE KEY UPDATE `name`=VALUES(`name`)");
        assertThat(MySqlDialect.upsert("T", List.of("index"), List.of("index"), 1))
                .endsWith("ON DUPLICATE KEY UPDATE `index`=`index`");
    }

    @Test
    void insertHasOnePlaceholderPerValue() {
        assertThat(MySqlDialect.insert("T", List.of("a", "b", "c"), 1)).isEqualTo("INSERT INTO `T` (`a`, `b`, `c`) VALUES (?, ?, ?)");
    }

    @Test
    void quotesIdentifiersSoNamesFromSchemasCannotInjectSql() {
        assertThat(MySqlDialect.quote("we`ird`); DROP TABLE x; --")).isEqualTo("`we``ird``); DROP TABLE x; --`");
        assertThatThrownBy(() -> MySqlDialect.quote("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MySqlDialect.quote("x".repeat(65))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBatchIsWrittenInStatementsOfAFewThousandValuesBelowThePlaceholderLimit() {
        assertThat(MySqlDialect.maxRowsPerStatement(12, 1000)).isEqualTo(200);
        assertThat(MySqlDialect.maxRowsPerStatement(12, 50)).isEqualTo(50);
        assertThat(MySqlDialect.maxRowsPerStatement(100, 1000)).isEqualTo(24);
        assertThat(MySqlDialect.maxRowsPerStatement(70_000, 10)).isEqualTo(1);
        assertThat(MySqlDialect.maxRowsPerStatement(3_000, 10) * 3_000).isLessThanOrEqualTo(MySqlDialect.MAX_PLACEHOLDERS);
    }

    @Test
    void updateSetsNonKeyColumnsAndDeleteMatchesTheKey() {
        assertThat(MySqlDialect.update("T", List.of("index", "name", "ssn"), List.of("index")))
                .isEqualTo("UPDATE `T` SET `name`=?, `ssn`=? WHERE `index`=?");
        assertThat(MySqlDialect.delete("T", List.of("a", "b"))).isEqualTo("DELETE FROM `T` WHERE `a`=? AND `b`=?");
        assertThat(MySqlDialect.addColumn("T", Field.of("age", FieldType.INT32, false)))
                .isEqualTo("ALTER TABLE `T` ADD COLUMN `age` INT NULL");
    }

    @Test
    void columnNamesMySqlRefusesAreFoundBeforeAnyDdl() {
        for (String good : List.of("index", "mood ☺", "a`b", "x".repeat(64), "日本語", "1st")) {
            assertThat(MySqlDialect.columnNameProblem(good)).as(good).isNull();
        }
        assertThat(MySqlDialect.columnNameProblem("")).isEqualTo("is empty");
        assertThat(MySqlDialect.columnNameProblem("x".repeat(65))).isEqualTo("is longer than 64 characters");
        assertThat(MySqlDialect.columnNameProblem("mood 😀")).contains("outside Unicode's Basic Multilingual Plane");
        assertThat(MySqlDialect.columnNameProblem("a\0b")).contains("U+0000");
        assertThat(MySqlDialect.columnNameProblem("trailing ")).isEqualTo("ends with a space");
    }
}
