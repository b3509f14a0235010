package dev.trackrecord.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** trackrecord.privacy in application.yaml: kind names with dots survive Helidon's key escaping. */
class SettingsRetentionTest {

    @Test
    void applicationYaml_retentionByKind_asShipped() {
        Settings s = Settings.from(Config.just(ConfigSources.classpath("application.yaml")));

        assertThat(s.retention()).isEqualTo(Map.of("payout", "P7Y", "credential.issued", "P10Y",
                "dispute.opened", "P3Y"));
        assertThat(s.retentionInterval()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void badRetention_namesTheKindOrThePeriod() {
        assertThatThrownBy(() -> Settings.from(Config.just(ConfigSources.create(
                Map.of("trackrecord.privacy.retention.payouts", "P7Y")))))
                .hasMessageContaining("'payouts'");
        assertThatThrownBy(() -> Settings.from(Config.just(ConfigSources.create(
                Map.of("trackrecord.privacy.retention.payout", "seven years")))))
                .hasMessageContaining("retention.payout");
    }
}
