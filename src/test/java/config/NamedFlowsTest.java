package config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import mysql.MySqlSinkFlow;
import org.junit.jupiter.api.Test;
import s3.S3SinkFlow;
import source.SourceFlow;

/** Second flows declared in settings: which ones, their settings read through the first flow's, their messages. */
class NamedFlowsTest {

    private static Map<String, PipelineFlow> declared(Map<String, String> given) {
        return NamedFlows.declared(given, PipelineSettings.FLOWS, PipelineSettings.OWN_PREFIXES);
    }

    @Test
    void aFlowSettingDeclaresASecondFlowOfARepeatableKind() {
        Map<String, PipelineFlow> flows = declared(Map.of("archive.flow", "mysql", "lake.flow", " s3 ", "orders.flow", "source",
                "archive.topics", "P_USERS", "mysql.flow.control", "x"));
        assertThat(flows).containsOnlyKeys("archive", "lake", "orders");
        assertThat(flows.get("archive")).isInstanceOf(MySqlSinkFlow.class);
        assertThat(flows.get("lake")).isInstanceOf(S3SinkFlow.class);
        assertThat(flows.get("orders")).isInstanceOf(SourceFlow.class);
    }

    @Test
    void aBadDeclarationNamesItsSetting() {
        assertThatThrownBy(() -> declared(Map.of("archive.flow", "postgres")))
                .hasMessage("Invalid configuration: archive.flow = 'postgres' must be the kind of flow it is: one of source, mysql, s3");
        // the console and the generator run once
        assertThatThrownBy(() -> declared(Map.of("second.flow", "console"))).hasMessageContaining("second.flow = 'console' must be the kind");
        assertThatThrownBy(() -> declared(Map.of("Archive.flow", "mysql")))
                .hasMessageContaining("Archive.flow = 'mysql' names a flow 'Archive': a flow's name is lower-case letters");
        assertThatThrownBy(() -> declared(Map.of("sink.flow", "mysql")))
                .hasMessageContaining("sink.flow = 'mysql' names a flow 'sink', a prefix the pipeline's own settings use");
    }

    @Test
    void aSecondFlowReadsTheFirstFlowsSettingsUnlessItSetsItsOwn() {
        Map<String, String> given = new HashMap<>(Map.of("mysql.topics", "P_USERS,P_ORDERS", "mysql.batch.size", "500",
                "mysql.group.id", "first-group", "archive.batch.size", "200", "archive.table.name.format", "archive_${topic}"));
        ParsedSettings shared = PipelineSettings.parse(given::get);
        ParsedSettings archive = NamedFlows.parse(new MySqlSinkFlow(), "archive", given::get, shared);
        // read under the first flow's names, so the kind's Java reads them as it reads the first flow's
        assertThat(archive.list("mysql.topics")).containsExactly("P_USERS", "P_ORDERS");
        assertThat(archive.intValue("mysql.batch.size")).isEqualTo(200);
        assertThat(archive.string("mysql.table.name.format")).isEqualTo("archive_${topic}");
        assertThat(archive.string("mysql.insert.mode")).isEqualTo("upsert");
        // never the first flow's: its own consumer group (the first one's, named), and on unless switched off
        assertThat(archive.string("mysql.group.id")).isEqualTo("first-group-archive");
        assertThat(archive.bool("mysql.enabled")).isTrue();
        // what the flows share stays
        assertThat(archive.string("errors.tolerance")).isEqualTo("all");

        given.put("mysql.enabled", "false");
        given.put("archive.group.id", "archive-group");
        ParsedSettings alone = NamedFlows.parse(new MySqlSinkFlow(), "archive", given::get, PipelineSettings.parse(given::get));
        assertThat(alone.bool("mysql.enabled")).isTrue();
        assertThat(alone.string("mysql.group.id")).isEqualTo("archive-group");
    }

    @Test
    void aSecondSourceHasItsOwnTransactionalIdsAndOffsetsTopic() {
        Map<String, String> given = Map.of("orders.table.whitelist", "ORDERS", "orders.mode", "timestamp");
        ParsedSettings orders = NamedFlows.parse(new SourceFlow(), "orders", given::get, PipelineSettings.parse(given::get));
        assertThat(orders.list("source.table.whitelist")).containsExactly("ORDERS");
        assertThat(orders.string("source.mode")).isEqualTo("timestamp");
        assertThat(orders.string("source.transactional.id.prefix")).isEqualTo("kafka-pipeline-source-orders");
        assertThat(orders.string("source.offsets.topic")).isEqualTo("_kafka_pipeline_source_offsets_orders");
        assertThat(orders.string("source.connection.url")).isEqualTo("jdbc:postgresql://localhost:5432/postgres");
    }

    @Test
    void aBadValueOfASecondFlowNamesTheSecondFlowsSetting() {
        Map<String, String> badValue = Map.of("archive.insert.mode", "merge");
        assertThatThrownBy(() -> NamedFlows.parse(new MySqlSinkFlow(), "archive", badValue::get, PipelineSettings.parse(badValue::get)))
                .hasMessage("Invalid configuration: archive.insert.mode = 'merge' must be one of insert, upsert, update");
        // a value it takes from the first flow is checked as its own too
        Map<String, String> inherited = Map.of("s3.flush.size", "0");
        assertThatThrownBy(() -> NamedFlows.parse(new S3SinkFlow(), "lake", inherited::get, new ParsedSettings(Map.of())))
                .hasMessageStartingWith("Invalid configuration: lake.flush.size = '0' must be");
        // a check of several settings together names them as the second flow's
        Map<String, String> together = Map.of("lake.format", "avro", "lake.compression.type", "gzip");
        assertThatThrownBy(() -> NamedFlows.parse(new S3SinkFlow(), "lake", together::get, new ParsedSettings(Map.of())))
                .hasMessageStartingWith("Invalid configuration: lake.compression.type = 'gzip' applies to lake.format=json only");
    }

    @Test
    void routeTemplatesGetEverySettingButConnectionsAndSecrets() {
        Map<String, String> given = Map.of("archive.connection.url", "jdbc:mysql://db/archive?password=hunter2",
                "archive.connection.password", "hunter2", "archive.topics", "P_ORDERS");
        ParsedSettings archive = NamedFlows.parse(new MySqlSinkFlow(), "archive", given::get, PipelineSettings.parse(given::get));
        Map<String, String> parameters = NamedFlows.parameters(new MySqlSinkFlow(), "archive", archive);
        assertThat(parameters).containsEntry("flow", "archive").containsEntry("topics", "P_ORDERS")
                .containsEntry("group.id", "kafka-pipeline-mysql-archive").containsEntry("batch.size", "1000");
        assertThat(parameters.keySet()).noneMatch(name -> name.startsWith("connection."));
        assertThat(parameters.values()).noneMatch(value -> value.contains("hunter2"));
    }

    @Test
    void aMisspeltSettingOfASecondFlowIsReportedWithTheNearestName() {
        Map<String, String> unknown = NamedFlows.unknown(Set.of("archive.flow", "archive.tabel.name.format", "archive.topics",
                "archive.nonsense.entirely.different", "other.thing"), Map.of("archive", new MySqlSinkFlow()));
        assertThat(unknown).containsOnlyKeys("archive.tabel.name.format", "archive.nonsense.entirely.different");
        assertThat(unknown.get("archive.tabel.name.format"))
                .isEqualTo("is not a setting of a mysql flow: did you mean archive.table.name.format?");
        assertThat(unknown.get("archive.nonsense.entirely.different")).isEqualTo("is not a setting of a mysql flow");
        assertThat(List.copyOf(unknown.keySet())).doesNotContain("archive.flow");
    }

    @Test
    void aSecondFlowsStartUpErrorsNameItsOwnSettingsAndNothingElse() {
        assertThat(NamedFlows.ownNames(new S3SinkFlow(), "lake", "s3.bucket.name: bucket 'x' at s3.endpoint=https://s3.eu-west-1.amazonaws.com "
                + "does not exist (set s3.bucket.create=true to create it)"))
                .isEqualTo("lake.bucket.name: bucket 'x' at lake.endpoint=https://s3.eu-west-1.amazonaws.com does not exist "
                        + "(set lake.bucket.create=true to create it)");
        assertThat(NamedFlows.ownNames(new SourceFlow(), "orders", "Invalid configuration: source.table.whitelist = 'X': no such table"))
                .isEqualTo("Invalid configuration: orders.table.whitelist = 'X': no such table");
        assertThat(NamedFlows.ownNames(new S3SinkFlow(), "s3", "s3.bucket.name: x")).isEqualTo("s3.bucket.name: x");
    }

    @Test
    void twoFlowsThatWouldShareAGroupATableAFolderOrATopicStopStartUp() {
        assertThatThrownBy(() -> flows(Map.of("archive.flow", "mysql", "archive.group.id", "kafka-pipeline-mysql",
                "archive.connection.url", "jdbc:mysql://other/db")))
                .hasMessageStartingWith("Invalid configuration: archive.group.id makes flow archive use the consumer group of flow mysql "
                        + "(kafka-pipeline-mysql)");
        // the same database and table name format: both would write P_USERS
        assertThatThrownBy(() -> flows(Map.of("archive.flow", "mysql")))
                .hasMessageStartingWith("Invalid configuration: archive.table.name.format makes flow archive use the MySQL table of flow mysql "
                        + "(jdbc:mysql://localhost:3306/pipeline P_USERS)");
        assertThatThrownBy(() -> flows(Map.of("lake.flow", "s3")))
                .hasMessageStartingWith("Invalid configuration: lake.bucket.name makes flow lake use the S3 folder of flow s3");
        assertThatThrownBy(() -> flows(Map.of("copy.flow", "source")))
                .hasMessageStartingWith("Invalid configuration: copy.topic.prefix makes flow copy use the topic of flow source (P_USERS)");
        // apart, they run
        flows(Map.of("archive.flow", "mysql", "archive.table.name.format", "archive_${topic}", "lake.flow", "s3", "lake.topics.dir", "lake",
                "orders.flow", "source", "orders.table.whitelist", "ORDERS"));
    }

    /** The flows {@code given} makes, checked apart, as start-up builds them. */
    private static void flows(Map<String, String> given) {
        Map<String, PipelineFlow> second = declared(given);
        ParsedSettings shared = PipelineSettings.parse(given::get, second);
        java.util.List<NamedFlows.Flow> flows = NamedFlows.of(shared, second, PipelineSettings.FLOWS, given::get);
        NamedFlows.checkApart(flows);
    }
}
