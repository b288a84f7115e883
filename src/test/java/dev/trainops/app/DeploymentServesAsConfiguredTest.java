package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.trainops.app.deploy.Manifests;
import dev.trainops.server.Authenticator;
import dev.trainops.server.HttpOptions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The Deployment of each kustomization starts the server it means to (DESIGN.md, "Deployment"): its
 * arguments, with Kubernetes's $(VAR) expansion from its env, parse as {@code serve} here; HTTP on a
 * non-loopback address has the authentication {@code serve} demands there; the config directory,
 * the data directory and the token file are the paths its volumes are mounted at; and the files the
 * ConfigMaps project into /etc/trainops, with the env the Deployment sets, are a configuration
 * {@link TrainopsConfig#read} accepts, on PostgreSQL from the Secret (SQLite for the sandbox).
 */
class DeploymentServesAsConfiguredTest {
    private static final Pattern VAR = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/sandbox", "overlays/production"})
    void theDeploymentsArgumentsStartServeOnItsPortVolumesAndSecrets(String kustomization) throws Exception {
        List<HasMetadata> objects = Manifests.objects(Manifests.deploy().resolve(kustomization));
        Deployment d = Manifests.deployment(objects);
        Container c = Manifests.container(d);
        boolean sandbox = kustomization.endsWith("sandbox");

        assertThat(c.getCommand()).as("command: the image's entrypoint (dev.trainops.app.Main) must run, with args").isNullOrEmpty();
        Map<String, String> env = env(c, d, objects);
        assertThat(env).containsEntry("TRAINOPS_NAMESPACE", d.getMetadata().getNamespace()).containsKey("POD_NAME");
        String[] args = c.getArgs().stream().map(a -> expand(a, env)).toArray(String[]::new);

        CommandLine.ParseResult parsed = Main.commandLine(args).parseArgs(args);
        assertThat(parsed.subcommand()).as("a subcommand").isNotNull();
        assertThat(parsed.subcommand().commandSpec().userObject()).isInstanceOf(ServeCommand.class);
        ServeCommand serve = (ServeCommand) parsed.subcommand().commandSpec().userObject();

        assertThat(serve.transport).isEqualTo(ServeCommand.Transport.http);
        assertThat(serve.bind).isEqualTo("0.0.0.0");
        assertThat(c.getPorts()).extracting(ContainerPort::getName, ContainerPort::getContainerPort).contains(org.assertj.core.groups.Tuple.tuple("http", serve.port));
        assertThat(serve.backend.sandbox).isEqualTo(sandbox);

        Map<String, Volume> mounted = mounts(c, d);
        assertThat(mounted.get(serve.backend.configDir.toString())).as("a volume at --config-dir " + serve.backend.configDir)
                .isNotNull().extracting(Volume::getProjected).isNotNull();
        assertThat(mounted.get(serve.backend.dataDir.toString())).as("a volume at --data-dir " + serve.backend.dataDir)
                .isNotNull().extracting(Volume::getEmptyDir).isNotNull();
        assertThat(serve.auth.tokenFile).as("--auth-token-file: the token file (robots, and everyone in the sandbox)").isNotNull();
        Volume auth = mounted.get(serve.auth.tokenFile.getParent().toString());
        assertThat(auth).as("a volume at --auth-token-file's folder").isNotNull();
        assertThat(auth.getSecret().getSecretName()).isEqualTo("trainops-auth");
        assertThat(auth.getSecret().getItems()).extracting(KeyToPath::getKey, KeyToPath::getPath)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("tokens", serve.auth.tokenFile.getFileName().toString()));

        // the HTTP side starts: with the token file the Secret holds (and the issuer, in production)
        serve.auth.tokenFile = Files.writeString(tmp.resolve("tokens"), "0123456789abcdef0123456789abcdef\n");
        Authenticator authenticator = serve.auth.authenticator(Clock.systemUTC());
        assertThat(authenticator.configured()).isTrue();
        assertThat(authenticator.oidc().isPresent()).as("OIDC").isEqualTo(kustomization.endsWith("production"));
        new HttpOptions(serve.bind, serve.port, authenticator, serve.allowedOrigins, serve.publicUrl);

        // the configuration the pod sees at --config-dir, as the kubelet projects it
        Path configDir = project(mounted.get(serve.backend.configDir.toString()), objects, tmp.resolve("etc-trainops"));
        TrainopsConfig config = TrainopsConfig.read(new Trainops.Settings(configDir, tmp.resolve("data"), serve.backend.sandbox, 1), env);
        if (sandbox) {
            assertThat(config.store().url()).as("the sandbox's store: SQLite in --data-dir").isNull();
            assertThat(configDir.resolve("sandbox/cluster.yaml")).isRegularFile();
            assertThat(configDir.resolve("sandbox/run-history.jsonl")).isRegularFile();
        } else {
            assertThat(config.store().url()).isEqualTo("secret:trainops-db/url");
            assertThat(config.store().user()).isEqualTo("secret:trainops-db/user");
            assertThat(config.store().password()).isEqualTo("secret:trainops-db/password");
        }
    }

    /** The container's env as the kubelet resolves it: Secrets as placeholders, ConfigMap keys from the build. */
    static Map<String, String> env(Container c, Deployment d, List<HasMetadata> objects) {
        Map<String, String> env = new LinkedHashMap<>();
        // envFrom first (production's optional trainops-endpoints); an env entry of the same name wins
        for (io.fabric8.kubernetes.api.model.EnvFromSource from : c.getEnvFrom()) {
            assertThat(from.getConfigMapRef()).as("envFrom: only ConfigMaps are expected").isNotNull();
            Map<String, String> data = Manifests.configMap(objects, from.getConfigMapRef().getName()).getData();
            if (data != null) {
                env.putAll(data);
            }
        }
        for (EnvVar e : c.getEnv()) {
            EnvVarSource from = e.getValueFrom();
            if (from == null) {
                env.put(e.getName(), e.getValue());
            } else if (from.getFieldRef() != null) {
                String path = from.getFieldRef().getFieldPath();
                env.put(e.getName(), switch (path) {
                    case "metadata.namespace" -> d.getMetadata().getNamespace();
                    case "metadata.name" -> "trainops-5d9c7b6f4-x2x7q";
                    default -> fail("unexpected fieldRef " + path);
                });
            } else if (from.getSecretKeyRef() != null) {
                env.put(e.getName(), "secret:" + from.getSecretKeyRef().getName() + "/" + from.getSecretKeyRef().getKey());
            } else if (from.getConfigMapKeyRef() != null) {
                ConfigMap cm = Manifests.configMap(objects, from.getConfigMapKeyRef().getName());
                String value = cm.getData().get(from.getConfigMapKeyRef().getKey());
                assertThat(value).as("key " + from.getConfigMapKeyRef().getKey() + " of ConfigMap " + cm.getMetadata().getName()).isNotNull();
                env.put(e.getName(), value);
            } else {
                fail("unexpected env source for " + e.getName());
            }
        }
        return env;
    }

    /** Kubernetes's $(VAR) expansion of an argument (a name not in env stays as written). */
    static String expand(String arg, Map<String, String> env) {
        Matcher m = VAR.matcher(arg);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            assertThat(value).as("$(" + m.group(1) + ") in the args: no such env").isNotNull();
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return m.appendTail(out).toString();
    }

    static Map<String, Volume> mounts(Container c, Deployment d) {
        Map<String, Volume> byPath = new LinkedHashMap<>();
        List<Volume> volumes = d.getSpec().getTemplate().getSpec().getVolumes();
        for (VolumeMount m : c.getVolumeMounts()) {
            byPath.put(m.getMountPath(), volumes.stream().filter(v -> v.getName().equals(m.getName())).findFirst()
                    .orElseGet(() -> fail("mount " + m.getMountPath() + " names no volume " + m.getName())));
        }
        return byPath;
    }

    /** Writes the files a projected volume of ConfigMaps shows, as the kubelet does. */
    static Path project(Volume volume, List<HasMetadata> objects, Path dir) throws Exception {
        for (VolumeProjection source : volume.getProjected().getSources()) {
            assertThat(source.getConfigMap()).as("a projected source of " + volume.getName()).isNotNull();
            ConfigMap cm = Manifests.configMap(objects, source.getConfigMap().getName());
            Map<String, String> data = cm.getData();
            if (source.getConfigMap().getItems() == null || source.getConfigMap().getItems().isEmpty()) {
                for (Map.Entry<String, String> e : data.entrySet()) {
                    Files.createDirectories(dir);
                    Files.writeString(dir.resolve(e.getKey()), e.getValue());
                }
            } else {
                for (KeyToPath item : source.getConfigMap().getItems()) {
                    assertThat(data).as("ConfigMap " + cm.getMetadata().getName()).containsKey(item.getKey());
                    Path file = dir.resolve(item.getPath());
                    Files.createDirectories(file.getParent());
                    Files.writeString(file, data.get(item.getKey()));
                }
            }
        }
        return dir;
    }
}
