package routes;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.RuntimeCamelException;
import org.junit.jupiter.api.Test;

/** The one line start-up failures are logged as. */
class PipelineApplicationTest {

    @Test
    void aSettingProblemIsItsOwnMessage() {
        Exception failure = new RuntimeCamelException(new IllegalArgumentException("Invalid configuration: s3.flush.size = 'x' must be a number",
                new NumberFormatException("For input string: \"x\"")));
        assertThat(PipelineApplication.startUpProblem(failure, routeId -> null)).isEqualTo("Invalid configuration: s3.flush.size = 'x' must be a number");
    }

    @Test
    void aRouteCamelCannotCreateIsNamedWithItsFileAndLine() {
        Exception failure = new RuntimeCamelException(new FailedToCreateRouteException("audit", "file:/opt/pipeline/routes/audit.yaml",
                "Route(audit)[From[timer:x] -> ...]", new RuntimeCamelException(
                new IllegalArgumentException("Property with key [audit.topic] not found in properties from text: kafka:{{audit.topic}}\nmore"))));
        assertThat(PipelineApplication.startUpProblem(failure, routeId -> routeId.equals("audit") ? "/opt/pipeline/routes/audit.yaml, line 2" : null))
                .isEqualTo("Route audit (/opt/pipeline/routes/audit.yaml, line 2) cannot be created: "
                + "Property with key [audit.topic] not found in properties from text: kafka:{{audit.topic}}");
    }
}
