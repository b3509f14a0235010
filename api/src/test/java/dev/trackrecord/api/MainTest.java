package dev.trackrecord.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Period;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void settings_fromBundledApplicationYaml_haveTheDocumentedDefaults() {
        Settings s = Settings.from(Config.just(ConfigSources.classpath("application.yaml")));
        assertThat(s.port()).isEqualTo(8080);
        assertThat(s.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(s.origin()).isEqualTo("trackrecord.local/ledger");
        assertThat(s.tokenIssuer()).isEqualTo("trackrecord:trackrecord.local/ledger");
        assertThat(s.checkpointInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.maxBodyBytes()).isEqualTo(4L * 1024 * 1024);
        assertThat(s.accessLogRetention()).isEqualTo(Period.ofDays(400));
    }

    @Test
    void accessLogRetention_isAnIsoPeriod_andABadOneIsRefusedByName() {
        Settings s = Settings.from(Config.just(ConfigSources.create(Map.of("trackrecord.access-log-retention", "P2Y"))));
        assertThat(s.accessLogRetention()).isEqualTo(Period.ofYears(2));
        for (String bad : List.of("400 days", "PT1H", "P0D", "P-1D")) {
            assertThatThrownBy(() -> Settings.from(Config.just(ConfigSources.create(
                    Map.of("trackrecord.access-log-retention", bad))))).as(bad).hasMessageContaining("access");
        }
    }

    @Test
    void options_overrideConfig() {
        Settings base = Settings.from(Config.just(ConfigSources.create(Map.of("trackrecord.port", "9090"))));
        assertThat(base.port()).isEqualTo(9090);
        Settings s = Main.parse(new String[] {"--data", "/tmp/x", "--port", "0", "--origin", "a.example/log"}, base);
        assertThat(s.dataDir()).isEqualTo(Path.of("/tmp/x"));
        assertThat(s.port()).isZero();
        assertThat(s.origin()).isEqualTo("a.example/log");
    }

    @Test
    void options_badOnes_areRefusedByName() {
        Settings base = Settings.from(Config.empty());
        assertThatThrownBy(() -> Main.parse(new String[] {"--port"}, base)).hasMessageContaining("--port needs a value");
        assertThatThrownBy(() -> Main.parse(new String[] {"--port", "http"}, base)).hasMessageContaining("--port must be a number");
        assertThatThrownBy(() -> Main.parse(new String[] {"--port", "70000"}, base)).hasMessageContaining("port must be from 0 to 65535");
        assertThatThrownBy(() -> Main.parse(new String[] {"--verbose", "1"}, base)).hasMessageContaining("unknown option --verbose");
    }
}
