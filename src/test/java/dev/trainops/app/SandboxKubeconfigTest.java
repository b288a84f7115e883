package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.app.sandbox.SandboxCluster;
import dev.trainops.app.sandbox.SandboxKubeconfig;
import dev.trainops.resource.TrainingJob;
import dev.trainops.testing.MutableClock;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --sandbox-kubeconfig FILE} (DESIGN.md, "Backends": a kubeconfig for the embedded API server, so kubectl and
 * other clients can use the demo cluster while the server runs).
 */
class SandboxKubeconfigTest {
    static final Path CONFIG = Path.of(System.getProperty("trainops.configDir", "../config"));
    static final String FOREIGN = "apiVersion: v1\nkind: Config\nclusters:\n- name: production\n  cluster:\n    server: https://k8s.example.com\n";

    @TempDir
    Path dir;

    @Test
    void writtenWithMode0600OnceTheServerRunsUsableByAClientAndRemovedOnStop() throws Exception {
        Path file = dir.resolve("kube").resolve("trainops.kubeconfig");
        SandboxCluster sandbox = new SandboxCluster(CONFIG, dir.resolve("data"), 1, new MutableClock(Instant.parse("2026-11-28T10:00:00Z")))
                .withKubeconfig(file).start();
        try {
            sandbox.seeded().get(120, TimeUnit.SECONDS);

            assertThat(file).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            String content = Files.readString(file);
            assertThat(content).contains("server: http://127.0.0.1:").contains("current-context: " + SandboxKubeconfig.CONTEXT)
                    .contains("namespace: team-a");
            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(content)).build()) {
                assertThat(client.getNamespace()).isEqualTo("team-a");
                assertThat(client.nodes().list().getItems()).isNotEmpty();
                TrainingJob tj = new TrainingJob();
                tj.getMetadata().setName("from-the-kubeconfig");
                tj.getSpec().setModel("mnist");
                tj.getSpec().setEpochs(1);
                tj.getSpec().setBatchSize(64);
                client.resource(tj).create();
                assertThat(client.resources(TrainingJob.class).inNamespace("team-a").withName("from-the-kubeconfig").get()).isNotNull();
            }
        } finally {
            sandbox.close();
        }
        assertThat(file).doesNotExist();
    }

    @Test
    void aFileTrainopsDidNotWriteIsNeverOverwritten() throws Exception {
        Path own = dir.resolve("config");
        Files.writeString(own, FOREIGN);

        assertThatThrownBy(() -> options("--sandbox", "--sandbox-kubeconfig", own.toString()).settings())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--sandbox-kubeconfig " + own)
                .hasMessageContaining("trainops did not write it").hasMessageContaining("Give a new path");
        assertThat(Files.readString(own)).isEqualTo(FOREIGN);
    }

    @Test
    void aFileAnEarlierTrainopsLeftBehindIsReplaced() throws Exception {
        Path stale = dir.resolve("trainops.kubeconfig");
        Files.writeString(stale, "# Written by trainops for its sandbox's API server (--sandbox-kubeconfig); removed when trainops stops.\n"
                + "apiVersion: v1\nkind: Config\n");

        Trainops.Settings settings = options("--sandbox", "--sandbox-kubeconfig", stale.toString()).settings();

        assertThat(settings.sandboxKubeconfig()).isEqualTo(stale.toAbsolutePath());
    }

    @Test
    void theOptionWithoutSandboxIsRefusedNamingBoth() {
        assertThatThrownBy(() -> options("--sandbox-kubeconfig", dir.resolve("k").toString()).settings())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--sandbox-kubeconfig").hasMessageContaining("needs --sandbox");
    }

    @Test
    void serveAndChatStopBeforeStartingWhenTheFileIsForeign() throws Exception {
        Path own = dir.resolve("config");
        Files.writeString(own, FOREIGN);

        assertThat(refused(new ServeCommand(), "--sandbox", "--sandbox-kubeconfig", own.toString())).contains("trainops: --sandbox-kubeconfig")
                .contains("trainops did not write it");
        assertThat(refused(new ChatCommand(), "--sandbox-kubeconfig", own.toString())).contains("needs --sandbox");
        assertThat(Files.readString(own)).isEqualTo(FOREIGN);
    }

    private static BackendOptions options(String... args) {
        BackendOptions options = new BackendOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }

    private static String refused(Object command, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(new CommandLine(command).execute(args)).isEqualTo(2);
        } finally {
            System.setErr(saved);
        }
        return err.toString(StandardCharsets.UTF_8);
    }
}
