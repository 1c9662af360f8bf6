package config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

class PassThroughSettingsTest {

    @Test
    void passThroughSettingsComeFromTheFileAndFromJvmProperties() throws Exception {
        System.setProperty("kafka.client.client.rack", "rack-7");
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Properties file = new Properties();
            file.setProperty("kafka.client.security.protocol", "SASL_SSL");
            file.setProperty("kafka.bootstrap.servers", "x:9092");
            context.getPropertiesComponent().setInitialProperties(file);
            Properties client = PassThroughSettings.withPrefix(context.getPropertiesComponent(), "kafka.client.");
            assertThat(client).containsEntry("security.protocol", "SASL_SSL").containsEntry("client.rack", "rack-7")
                    .doesNotContainKey("bootstrap.servers");
        } finally {
            System.clearProperty("kafka.client.client.rack");
        }
    }

    @Test
    void environmentVariablesMapToKafkaClientNames() {
        assertThat(PassThroughSettings.environmentName("kafka.client.")).isEqualTo("KAFKA_CLIENT_");
        assertThat(PassThroughSettings.propertyName("SASL_JAAS_CONFIG")).isEqualTo("sasl.jaas.config");
        assertThat(PassThroughSettings.propertyName("SSL_TRUSTSTORE_LOCATION")).isEqualTo("ssl.truststore.location");
    }
}
