package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code serve --kube-impersonate} (DESIGN.md rule 9) reaches the settings the queue is wired from; off by default. */
class KubeImpersonationOptionsTest {

    @Test
    void rule9_kubeImpersonateIsOffUnlessServeIsGivenTheFlag() {
        assertThat(settings().kubeImpersonate()).isFalse();
        assertThat(settings("--kube-impersonate").kubeImpersonate()).isTrue();
        assertThat(settings("--kube-impersonate", "--sandbox").sandbox()).isTrue();
    }

    @Test
    void serveTakesTheGateOptionsBesideTheImpersonationFlag() {
        // a merge once left GateOptions without @Mixin: --rate-limit was an unknown option and serve stopped on a null
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs("--kube-impersonate", "--rate-limit", "0", "--read-only");
        assertThat(serve.gateOptions.gates()).isEqualTo(new Gates(0, true));
        ServeCommand defaults = new ServeCommand();
        new CommandLine(defaults).parseArgs();
        assertThat(defaults.gateOptions.gates()).isEqualTo(new Gates(120, false));
    }

    private static Trainops.Settings settings(String... args) {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs(args);
        return serve.impersonation.apply(serve.backend.settings());
    }
}
