package config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

class SettingsTest {

    private static Settings settings(String... keyValues) {
        DefaultCamelContext context = new DefaultCamelContext();
        Properties initial = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            initial.setProperty(keyValues[i], keyValues[i + 1]);
        }
        context.getPropertiesComponent().setInitialProperties(initial);
        return new Settings(context.getPropertiesComponent());
    }

    @Test
    void badValuesNameThePropertyAndTheValue() {
        assertThatThrownBy(() -> settings("source.batch.max.rows", "abc").positiveInt("source.batch.max.rows"))
                .hasMessage("Invalid configuration: source.batch.max.rows = 'abc' must be a positive whole number");
        assertThatThrownBy(() -> settings("source.mode", "often").oneOf("source.mode", "incrementing", "bulk"))
                .hasMessage("Invalid configuration: source.mode = 'often' must be one of incrementing, bulk");
        assertThatThrownBy(() -> settings().required("s3.bucket.name")).hasMessage("Invalid configuration: s3.bucket.name is missing");
    }

    @Test
    void secretsAreNamedButNeverShown() {
        assertThatThrownBy(() -> settings("mysql.connection.password", " ").required("mysql.connection.password"))
                .hasMessage("Invalid configuration: mysql.connection.password must not be empty");
    }

    @Test
    void passThroughSettingsComeFromTheFileAndFromJvmProperties() {
        System.setProperty("kafka.client.client.rack", "rack-7");
        try {
            Properties client = settings("kafka.client.security.protocol", "SASL_SSL", "kafka.bootstrap.servers", "x:9092")
                    .withPrefix("kafka.client.");
            assertThat(client).containsEntry("security.protocol", "SASL_SSL").containsEntry("client.rack", "rack-7")
                    .doesNotContainKey("bootstrap.servers");
        } finally {
            System.clearProperty("kafka.client.client.rack");
        }
    }

    @Test
    void environmentVariablesMapToKafkaClientNames() {
        assertThat(Settings.environmentName("kafka.client.")).isEqualTo("KAFKA_CLIENT_");
        assertThat(Settings.propertyName("SASL_JAAS_CONFIG")).isEqualTo("sasl.jaas.config");
        assertThat(Settings.propertyName("SSL_TRUSTSTORE_LOCATION")).isEqualTo("ssl.truststore.location");
    }
}
