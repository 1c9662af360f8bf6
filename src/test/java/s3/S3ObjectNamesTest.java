package s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class S3ObjectNamesTest {

    @Test
    void namesObjectsAsTheConnectS3SinkDoes() {
        assertThat(S3ObjectNames.key("topics", "P_USERS", 0, 0, "json"))
                .isEqualTo("topics/P_USERS/partition=0/P_USERS+0+0000000000.json");
        assertThat(S3ObjectNames.key("topics", "P_USERS", 3, 1234567, "json.gz"))
                .isEqualTo("topics/P_USERS/partition=3/P_USERS+3+0001234567.json.gz");
    }

    @Test
    void theSameInputsGiveTheSameKeySoARetryOverwrites() {
        assertThat(S3ObjectNames.key("topics", "T", 1, 99, "json")).isEqualTo(S3ObjectNames.key("topics", "T", 1, 99, "json"));
        assertThat(S3ObjectNames.key("topics", "T", 1, 99, "json")).isNotEqualTo(S3ObjectNames.key("topics", "T", 1, 100, "json"));
    }

    @Test
    void topicsDirMayHaveSlashesOrBeEmpty() {
        assertThat(S3ObjectNames.key("/lake/raw/", "T", 0, 5, "json")).isEqualTo("lake/raw/T/partition=0/T+0+0000000005.json");
        assertThat(S3ObjectNames.key("", "T", 0, 5, "json")).isEqualTo("T/partition=0/T+0+0000000005.json");
    }

    @Test
    void offsetsBeyondTenDigitsStillSortAfterSmallerOnes() {
        assertThat(S3ObjectNames.key("topics", "T", 0, 12345678901L, "json")).endsWith("T+0+12345678901.json");
        assertThatThrownBy(() -> S3ObjectNames.key("topics", "T", 0, -1, "json")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void otherPartitionersPutTheirFolderBetweenTopicAndObject() {
        assertThat(S3ObjectNames.key("topics", "P_USERS", "country=FR", 2, 17, "avro"))
                .isEqualTo("topics/P_USERS/country=FR/P_USERS+2+0000000017.avro");
        assertThat(S3ObjectNames.prefix("topics", "P_USERS", "year=2026/month=11", 2))
                .isEqualTo("topics/P_USERS/year=2026/month=11/P_USERS+2+");
    }
}
