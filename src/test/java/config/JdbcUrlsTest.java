package config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JdbcUrlsTest {

    @Test
    void masksPasswordsGivenInsideTheUrl() {
        assertThat(JdbcUrls.withoutSecrets("jdbc:postgresql://db:5432/app?user=u&password=s3cret&ssl=true"))
                .isEqualTo("jdbc:postgresql://db:5432/app?user=u&password=****&ssl=true");
        assertThat(JdbcUrls.withoutSecrets("jdbc:mysql://u:s3cret@db:3306/app")).isEqualTo("jdbc:mysql://u:****@db:3306/app");
        assertThat(JdbcUrls.withoutSecrets("jdbc:mysql://db:3306/app")).isEqualTo("jdbc:mysql://db:3306/app");
    }
}
