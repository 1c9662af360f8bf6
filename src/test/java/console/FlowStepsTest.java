package console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import config.NamedFlows;
import config.PipelineSettings;
import mysql.MySqlSinkFlow;
import s3.S3SinkFlow;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.support.PluginHelper;
import org.junit.jupiter.api.Test;

/** A flow's steps as the console lists them: from Camel's model of the bundled route file, templates filled in. */
class FlowStepsTest {

    @Test
    void theMySqlSinksStepsAreItsRouteFilesWithTheRowsRouteNestedAndItsParametersFilledIn() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            var loader = PluginHelper.getRoutesLoader(context);
            var resource = PluginHelper.getResourceLoader(context).resolveResource("classpath:routes/mysql-sink.yaml");
            for (var builder : loader.findRoutesBuilders(resource)) {
                context.addRoutes(builder);
            }
            Map<String, String> given = Map.of("archive.topics", "P_ORDERS");
            var settings = NamedFlows.parse(new MySqlSinkFlow(), "archive", given::get, PipelineSettings.parse(given::get));
            Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
            for (var route : new MySqlSinkFlow().routes("archive", context)) {
                model.addRouteFromTemplate(route.routeId(), route.template(),
                        new HashMap<>(NamedFlows.parameters(new MySqlSinkFlow(), "archive", settings)));
            }

            // its transforms, as the settings configure them, and a route of its own for each record
            Map<String, String> transformSettings = Map.of("archive.transforms.dropSsn.type", "ReplaceField",
                    "archive.transforms.dropSsn.exclude", "ssn", "archive.transforms.hash.type", "HashField",
                    "archive.transforms.hash.fields", "mail", "archive.transforms.hash.key", "secret-key");
            context.getRegistry().bind("archiveTransforms", transform.Transforms.parse(List.of("dropSsn", "hash"), "archive.transforms",
                    transformSettings::get, false).withRecordRoute("archive-record"));
            context.addRoutes(new org.apache.camel.builder.RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:archive-record").routeId("archive-record").setHeader("seen", constant(true));
                }
            });
            FlowSteps.Flow flow = FlowSteps.of(context, "archive-sink", null);
            List<String> lines = flow.steps().stream()
                    .map(step -> "  ".repeat(step.depth()) + step.step() + " " + step.what() + " @" + step.route()).toList();
            assertThat(lines.get(0)).startsWith("from kafka:P_ORDERS?").contains("groupId=kafka-pipeline-mysql-archive").endsWith("@archive-sink");
            assertThat(lines).containsSubsequence("  bean ref:archiveTransforms method:apply @archive-sink",
                    "    transform dropSsn: ReplaceField exclude=ssn @archive-sink", "    transform hash: HashField fields=mail @archive-sink",
                    "    from direct:archive-record @archive-record", "      setHeader seen @archive-record",
                    "  bean ref:archiveRows method:fromBatch @archive-sink");
            assertThat(lines).noneMatch(line -> line.contains("secret-key"));
            assertThat(lines).contains("  bean ref:archiveRows method:fromBatch @archive-sink",
                    "  bean ref:archiveRows method:prepareTables @archive-sink",
                    "  to direct:archive-sink-rows @archive-sink",
                    "    from direct:archive-sink-rows @archive-sink-rows",
                    "  bean ref:pipelineProgress method:add('archive-sink written', ${bean:archiveRows.rowsWritten}) @archive-sink",
                    "  bean sink.KafkaBatch method:commitOffsets @archive-sink");
            assertThat(lines).contains("      policy ref:archiveTransaction @archive-sink-rows");
            // a doTry's doCatch is listed under it: where a refused row becomes a dead letter
            assertThat(lines).contains("            doCatch java.lang.Exception onWhen archiveRowRejection @archive-sink-rows");
            assertThat(lines).contains("                    bean ref:archiveRows method:rejectRow @archive-sink-rows");
            assertThat(lines).noneMatch(line -> line.contains("{{"));
            // the rows route comes right after the step that hands the batch to it
            int handOver = lines.indexOf("  to direct:archive-sink-rows @archive-sink");
            assertThat(lines.get(handOver + 1)).isEqualTo("    from direct:archive-sink-rows @archive-sink-rows");
        }
    }

    @Test
    void theS3SinksStepsFollowItsUploadRouteWithTheChoiceItMakes() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            var resource = PluginHelper.getResourceLoader(context).resolveResource("classpath:routes/s3-sink.yaml");
            for (var builder : PluginHelper.getRoutesLoader(context).findRoutesBuilders(resource)) {
                context.addRoutes(builder);
            }
            Map<String, String> given = Map.of();
            var settings = PipelineSettings.parse(given::get);
            Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
            for (var route : new S3SinkFlow().routes("s3", context)) {
                model.addRouteFromTemplate(route.routeId(), route.template(),
                        new HashMap<>(NamedFlows.parameters(new S3SinkFlow(), "s3", settings)));
            }
            List<String> lines = FlowSteps.of(context, "s3-sink", null).steps().stream()
                    .map(step -> "  ".repeat(step.depth()) + step.step() + " " + step.what() + " @" + step.route()).toList();
            int handOver = lines.indexOf("        to seda:s3-uploads?size=1 @s3-sink");
            assertThat(handOver).as(String.join("\n", lines)).isPositive();
            assertThat(lines.get(handOver + 1)).isEqualTo("          from seda:s3-uploads?size=1 @s3-uploads");
            assertThat(lines).containsSubsequence("                  choice  @s3-uploads",
                    "                    when simple{${header.CamelAwsS3ContentLength} > 26214400} @s3-uploads",
                    "                    otherwise  @s3-uploads",
                    "                      to aws2-s3:kafka-pipeline?amazonS3Client=#s3Client @s3-uploads",
                    "              doCatch java.lang.Exception @s3-uploads");
            // the upload route is listed once, though two steps hand over to it
            assertThat(lines.stream().filter(line -> line.contains("from seda:s3-uploads"))).hasSize(1);
        }
    }
}
