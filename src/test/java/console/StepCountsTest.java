package console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** Each step counts the exchanges that reached it, and the steps list shows the counts. */
class StepCountsTest {

    @Test
    void everyStepCountsTheExchangesThatReachedIt() throws Exception {
        StepCounts counts = new StepCounts();
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getCamelContextExtension().addInterceptStrategy(counts);
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:in").routeId("flow")
                            .setHeader("seen", constant(true))
                            .filter(simple("${body} > 1"))
                                .to("direct:more")
                            .end()
                            .setBody(constant("done"));
                    from("direct:more").routeId("more").setHeader("more", constant(true));
                }
            });
            context.start();
            for (int body = 1; body <= 3; body++) {
                context.createProducerTemplate().sendBody("direct:in", body);
            }
            List<FlowSteps.Step> steps = FlowSteps.of(context, "flow", counts).steps();
            assertThat(steps).extracting(step -> step.step() + " " + step.exchanges()).containsExactly(
                    "from null", "setHeader 3", "filter 3", "to 2", "from null", "setHeader 2", "setBody 3");
            assertThat(counts.all()).extracting(StepCounts.Counted::route).contains("flow", "more");
        }
    }
}
