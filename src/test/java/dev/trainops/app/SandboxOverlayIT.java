package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.app.deploy.Manifests;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox overlay's pod, run here as the packaged jar: its Deployment's arguments and env, the
 * files its ConfigMaps project into /etc/trainops, a token in the Secret's file and an empty data
 * directory (each mount path mapped to a folder here, the port to a free one). Its readiness and
 * liveness probes answer 200, and /mcp answers initialize with the token and 401 without it: the
 * overlay starts a server that works, not only one that parses.
 */
class SandboxOverlayIT {
    @TempDir
    Path pod;

    @Test
    void theSandboxPodStartsServesItsProbesAndRequiresTheToken() throws Exception {
        List<HasMetadata> objects = Manifests.objects(Manifests.overlay("sandbox"));
        Deployment d = Manifests.deployment(objects);
        Container c = Manifests.container(d);
        Map<String, String> env = DeploymentServesAsConfiguredTest.env(c, d, objects);

        // each mount path -> a folder here, filled as the kubelet fills it
        Map<String, Volume> mounts = DeploymentServesAsConfiguredTest.mounts(c, d);
        Map<String, Path> here = new LinkedHashMap<>();
        String token = "sandbox-token-" + Long.toHexString(System.nanoTime()) + "0123456789";
        for (Map.Entry<String, Volume> m : mounts.entrySet()) {
            Path dir = Files.createDirectories(pod.resolve(m.getKey().substring(1)));
            Volume v = m.getValue();
            if (v.getProjected() != null) {
                DeploymentServesAsConfiguredTest.project(v, objects, dir);
            } else if (v.getSecret() != null) {
                assertThat(v.getSecret().getSecretName()).isEqualTo("trainops-auth");
                Files.writeString(dir.resolve(v.getSecret().getItems().get(0).getPath()), token + "\n");
            }
            here.put(m.getKey(), dir);
        }
        int port = SandboxServers.freePort();
        String containerPort = Integer.toString(c.getPorts().get(0).getContainerPort());
        List<String> command = new ArrayList<>(List.of(SandboxServers.java(), "-jar", System.getProperty("trainops.jar")));
        List<String> args = c.getArgs();
        for (int i = 0; i < args.size(); i++) {
            String arg = DeploymentServesAsConfiguredTest.expand(args.get(i), env);
            if (i > 0 && args.get(i - 1).equals("--port")) {
                assertThat(arg).isEqualTo(containerPort);
                arg = Integer.toString(port);
            } else if (i > 0 && args.get(i - 1).equals("--bind")) {
                arg = "127.0.0.1"; // the pod's 0.0.0.0, kept to this machine
            }
            String a = arg;
            String mount = here.keySet().stream().filter(m -> a.equals(m) || a.startsWith(m + "/"))
                    .max(java.util.Comparator.comparingInt(String::length)).orElse(null);
            command.add(mount == null ? arg : here.get(mount) + arg.substring(mount.length()));
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(pod.toFile());
        // the pod's environment: only what the Deployment sets, none of this machine's backend settings
        pb.environment().keySet().removeIf(k -> k.startsWith("TRAINOPS_") || k.startsWith("MLFLOW_") || k.startsWith("PROMETHEUS_")
                || k.equals("KUBECONFIG"));
        pb.environment().putAll(env);
        Path log = pod.resolve("server.log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process server = pb.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            String readiness = c.getReadinessProbe().getHttpGet().getPath();
            String liveness = c.getLivenessProbe().getHttpGet().getPath();
            int ready = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline && server.isAlive()) {
                try {
                    ready = get(http, port, readiness);
                    if (ready == 200) {
                        break;
                    }
                } catch (java.io.IOException notYet) {
                    // starting
                }
                Thread.sleep(250);
            }
            assertThat(ready).as("readiness probe " + readiness + "; server log:\n" + tail(log)).isEqualTo(200);
            assertThat(get(http, port, liveness)).as("liveness probe " + liveness).isEqualTo(200);

            String initialize = """
                    {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},\
                    "clientInfo":{"name":"sandbox-overlay-it","version":"1"}}}""";
            HttpRequest.Builder mcp = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp"))
                    .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofString(initialize));
            assertThat(http.send(mcp.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).as("without the token").isEqualTo(401);
            HttpResponse<String> answer = http.send(mcp.header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as("initialize with the token: " + answer.body()).isEqualTo(200);
            assertThat(answer.body()).contains("\"serverInfo\":{\"name\":\"trainops\"");
        } finally {
            server.destroy();
            if (!server.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static int get(HttpClient http, int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    private static String tail(Path log) throws java.io.IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
