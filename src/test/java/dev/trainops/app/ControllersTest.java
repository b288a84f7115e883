package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.server.HttpOptions;
import dev.trainops.server.HttpTransport;
import dev.trainops.server.TrainopsMcpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --controllers auto|on|off} (docs/architecture.md, "Roles of a process"): what the option
 * parses to, what auto means on a local and on a shared store, {@code --read-only} implying off,
 * and what {@code /healthz} says of it.
 */
class ControllersTest {
    static final Path CONFIG = OwnHistoryTest.CONFIG;
    static final Map<String, String> SHARED_STORE = Map.of("TRAINOPS_DB_URL", "jdbc:postgresql://db/trainops");

    @TempDir
    Path dir;

    @Test
    void serveAndChatTakeControllersAutoOnOrOffAndAutoIsTheDefault() {
        assertThat(serve().controllers()).isEqualTo(Controllers.auto);
        assertThat(serve("--controllers", "on").controllers()).isEqualTo(Controllers.on);
        assertThat(serve("--controllers", "off").controllers()).isEqualTo(Controllers.off);
        ChatCommand chat = new ChatCommand();
        new CommandLine(chat).parseArgs("--controllers", "off");
        assertThat(chat.controllers.apply(chat.backend.settings(), false).controllers()).isEqualTo(Controllers.off);

        assertThatThrownBy(() -> new CommandLine(new ServeCommand()).parseArgs("--controllers", "maybe"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--controllers").hasMessageContaining("auto, on, off");
    }

    @Test
    void readOnlyImpliesControllersOff() {
        assertThat(serve("--read-only").controllers()).isEqualTo(Controllers.off);
        assertThat(serve("--read-only", "--controllers", "auto").controllers()).isEqualTo(Controllers.off);
        assertThat(serve("--read-only", "--controllers", "off").controllers()).isEqualTo(Controllers.off);
    }

    @Test
    void readOnlyWithControllersOnIsAUsageErrorNamingBothOptionsAndTheFix() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        int code;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            code = new CommandLine(new ServeCommand()).execute("--read-only", "--controllers", "on", "--config-dir", CONFIG.toString(),
                    "--data-dir", dir.resolve("data").toString());
        } finally {
            System.setErr(saved);
        }
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo("trainops: --read-only and --controllers on do not go together: a "
                + "read-only server writes nothing, so it cannot run the control loops. Drop --controllers on (--read-only implies "
                + "--controllers off), or drop --read-only.");
        assertThat(Files.exists(dir.resolve("data"))).as("nothing started").isFalse();
    }

    @Test
    void autoRunsTheControlLoopsForALocalStoreAndStandsForTheLeaseOnASharedOne() throws Exception {
        assertThat(Controllers.auto.leadership(config(Map.of()))).isSameAs(Leadership.ALWAYS);
        Leadership shared = Controllers.auto.leadership(config(SHARED_STORE));
        assertThat(shared).isInstanceOf(LeaseElection.class);
        assertThat(shared.leading()).as("not before it holds the Lease").isFalse();
        shared.close();

        assertThat(Controllers.on.leadership(config(SHARED_STORE))).isSameAs(Leadership.ALWAYS);
        assertThat(Controllers.off.leadership(config(Map.of()))).isSameAs(Leadership.NEVER);
    }

    @Test
    void aCandidateStandsInTrainopsNamespaceElseItsPodsNamespaceElseTrainopsSystem() throws Exception {
        Path podNamespace = dir.resolve("namespace");
        assertThat(TrainopsConfig.Candidate.fromEnvironment(Map.of(), podNamespace).namespace()).isEqualTo("trainops-system");
        Files.writeString(podNamespace, "ml-platform\n");
        assertThat(TrainopsConfig.Candidate.fromEnvironment(Map.of(), podNamespace).namespace()).isEqualTo("ml-platform");
        assertThat(TrainopsConfig.Candidate.fromEnvironment(Map.of("TRAINOPS_NAMESPACE", "ops"), podNamespace).namespace()).isEqualTo("ops");

        assertThatThrownBy(() -> TrainopsConfig.Candidate.fromEnvironment(Map.of("TRAINOPS_NAMESPACE", "Ops_1"), podNamespace))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TRAINOPS_NAMESPACE must be a Kubernetes namespace name (lowercase letters, digits and '-', at most 63), was "
                        + "'Ops_1'; set it to the namespace trainops runs in, e.g. trainops-system.");
    }

    @Test
    void aCandidatesIdentityIsItsPodNameElseItsHostNameWithARandomSuffix() {
        Path none = dir.resolve("none");
        String pod = TrainopsConfig.Candidate.fromEnvironment(Map.of("POD_NAME", "trainops-7d9f-x2", "HOSTNAME", "h"), none).identity();
        assertThat(pod).matches("trainops-7d9f-x2-[a-z0-9]{5}");
        assertThat(TrainopsConfig.Candidate.fromEnvironment(Map.of("HOSTNAME", "laptop"), none).identity()).matches("laptop-[a-z0-9]{5}");
        assertThat(TrainopsConfig.Candidate.fromEnvironment(Map.of(), none).identity()).matches("trainops-[a-z0-9]{5}");
        // a pod restarted under the same name is a new candidate, never the holder it replaces
        assertThat(TrainopsConfig.Candidate.fromEnvironment(Map.of("POD_NAME", "trainops-7d9f-x2"), none).identity()).isNotEqualTo(pod);
    }

    @Test
    void healthzSaysLeaderTrueForALocalStoreWithControllersOnAndFalseWithOffOrReadOnly() throws Exception {
        assertThat(healthz(Controllers.on, Gates.OPEN)).isEqualTo("{\"status\":\"ok\",\"leader\":true}");
        assertThat(healthz(Controllers.auto, Gates.OPEN)).isEqualTo("{\"status\":\"ok\",\"leader\":true}");
        assertThat(healthz(Controllers.off, Gates.OPEN)).isEqualTo("{\"status\":\"ok\",\"leader\":false}");
        assertThat(healthz(Controllers.auto, new Gates(0, true))).isEqualTo("{\"status\":\"ok\",\"leader\":false}");
    }

    @Test
    void aStoppingServerAnswersReadyz503() throws Exception {
        TrainopsConfig config = TrainopsConfig.read(new Trainops.Settings(CONFIG, dir.resolve("data"), false, 1.0), Map.of());
        try (Trainops trainops = Trainops.create(config, Gates.OPEN)) {
            trainops.stopping();
            assertThat(trainops.readiness().ready()).isFalse();
            assertThat(trainops.readiness().detail()).isEqualTo("stopping");
        }
    }

    /** /healthz of an app (not connected: its backends need not exist) with {@code controllers} behind {@code gates}. */
    String healthz(Controllers controllers, Gates gates) throws Exception {
        TrainopsConfig config = TrainopsConfig.read(new Trainops.Settings(CONFIG, dir.resolve("data"), false, 1.0).withControllers(controllers),
                Map.of());
        try (Trainops trainops = Trainops.create(config, gates);
             HttpTransport http = new HttpTransport(new TrainopsMcpServer(trainops.catalog(), "test"), HttpOptions.loopback(0),
                     trainops::readiness)) {
            int port = http.start();
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            return r.body();
        }
    }

    TrainopsConfig config(Map<String, String> env) {
        return TrainopsConfig.read(new Trainops.Settings(CONFIG, dir.resolve("data"), false, 1.0), env);
    }

    static Trainops.Settings serve(String... args) {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs(args);
        return serve.controllers.apply(serve.backend.settings(), serve.gateOptions.gates().readOnly());
    }
}
