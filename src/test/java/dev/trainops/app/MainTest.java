package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which launches answer initialize before picocli: serve over stdio only (docs/architecture.md, "Start-up"). */
class MainTest {

    @Test
    void serveOverStdioIsAnsweredEarly() {
        assertThat(Main.overStdio(new String[] {"serve"})).isTrue();
        assertThat(Main.overStdio(new String[] {"serve", "--sandbox", "--config-dir", "config"})).isTrue();
        assertThat(Main.overStdio(new String[] {"serve", "--transport", "stdio"})).isTrue();
        assertThat(Main.overStdio(new String[] {"serve", "--transport=stdio", "--metrics-port", "0"})).isTrue();
    }

    @Test
    void httpHelpAndVersionAreLeftToPicocli() {
        assertThat(Main.overStdio(new String[] {"serve", "--transport", "http"})).isFalse();
        assertThat(Main.overStdio(new String[] {"serve", "--transport=http"})).isFalse();
        assertThat(Main.overStdio(new String[] {"serve", "--transport"})).isFalse();
        assertThat(Main.overStdio(new String[] {"serve", "--help"})).isFalse();
        assertThat(Main.overStdio(new String[] {"serve", "-h"})).isFalse();
        assertThat(Main.overStdio(new String[] {"serve", "-V"})).isFalse();
        assertThat(Main.overStdio(new String[] {"serve", "--version"})).isFalse();
    }
}
