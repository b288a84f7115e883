package dev.trainops.app;

import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record of every request trainops's own Kubernetes client makes, for the least-privilege check
 * (docs/decisions.md, "Least privilege, recorded and checked"): each distinct request becomes one
 * tab-separated line {@code method, path, query, Impersonate-User, Impersonate-Group (comma-joined)}
 * in a file of its own per process under the directory named by {@value #ENV}. The build sets that
 * variable for the tests only (src/pom.xml, surefire and failsafe), and the servers the end-to-end
 * tests start inherit it; unset, nothing is recorded and no interceptor is installed.
 *
 * <p>It sits on the server's client only: the sandbox's simulated Job controller and kubelets use a
 * client of their own (they are the cluster, not trainops), and {@code quotas apply} runs with the
 * admin's kubeconfig, not the ServiceAccount. Impersonating clients are derived from the server's
 * ({@code newClient(RequestConfig)}) and keep its interceptors; this one runs after fabric8's
 * impersonator, so it sees the {@code Impersonate-*} headers.
 */
final class ApiRequestLog implements Interceptor {
    private static final Logger log = LoggerFactory.getLogger(ApiRequestLog.class);
    /** The directory to record into; set by the build for the tests, never in production. */
    static final String ENV = "TRAINOPS_API_REQUEST_LOG";

    private final Path file;
    private final Set<String> written = new HashSet<>();
    private boolean failed;

    ApiRequestLog(Path file) {
        this.file = file;
    }

    /** What to do to a client builder: add a recorder when {@code env} names a directory, else nothing. */
    static java.util.function.Consumer<KubernetesClientBuilder> from(Map<String, String> env) {
        String dir = env.get(ENV);
        if (dir == null || dir.isBlank()) {
            return builder -> {
            };
        }
        ApiRequestLog recorder = new ApiRequestLog(Path.of(dir.strip())
                .resolve("trainops-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID() + ".tsv"));
        log.info("recording every Kubernetes API request in {} ({})", recorder.file, ENV);
        return builder -> builder.withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("trainops-api-request-log", recorder));
    }

    /** One line per distinct request: method, path, query, impersonated user, impersonated groups. */
    static String line(String method, String path, String query, String user, List<String> groups) {
        return String.join("\t", method, path, query == null ? "" : query, user == null ? "" : user,
                groups == null ? "" : String.join(",", groups)) + "\n";
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        String line = line(request.method(), request.uri().getRawPath(), request.uri().getRawQuery(),
                request.header("Impersonate-User"), request.headers("Impersonate-Group"));
        record(line);
    }

    private synchronized void record(String line) {
        if (failed || !written.add(line)) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            // written at once, so a server the test kills (SIGKILL) leaves what it did
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            failed = true;
            log.warn("cannot record Kubernetes API requests in {}: {}", file, e.getMessage());
        }
    }
}
