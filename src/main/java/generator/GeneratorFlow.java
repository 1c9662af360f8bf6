package generator;

import static config.SettingsDefinition.Type.BOOLEAN;
import static config.SettingsDefinition.Type.INT;
import static config.SettingsDefinition.Type.STRING;

import javax.sql.DataSource;

import config.FlowSetup;
import config.PipelineFlow;
import config.Rules;
import config.SettingsDefinition;
import source.SourceFlow;

/** The generator flow (routes/generator.yaml): fake users inserted into the source table, for the demo and for load. */
public final class GeneratorFlow implements PipelineFlow {

    public static final String FAKE_USERS = "fakeUsers";

    public static final SettingsDefinition SETTINGS = new SettingsDefinition(
            "Generator: fake users inserted into the source table (routes/generator.yaml)", "generator.enabled")
            .define("generator.enabled", BOOLEAN, "false", "insert fake users (on under `mvn compile camel:run`)")
            .define("generator.table", STRING, "USERS", Rules.rule("a plain table name", table -> FakeUsers.TABLE_NAME.matcher(
                    table.toString()).matches(), "must be a plain table name (letters, digits and _, at most 63, not starting with a digit)"),
                    "table to create (if missing) and fill")
            .define("generator.rate.per.second", INT, "1", Rules.POSITIVE, "users inserted per second (in one statement each second)");

    @Override
    public String name() {
        return "generator";
    }

    @Override
    public void start(FlowSetup setup) throws Exception {
        DataSource postgres = SourceFlow.dataSource(setup);
        FakeUsers.createTableIfMissing(postgres, setup.settings().string("generator.table"));
        setup.bind(FAKE_USERS, new FakeUsers());
    }
}
