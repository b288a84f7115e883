package dev.trainops.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * These machines cannot pull a base image, so CI checks the image's build configuration instead of
 * the image: the Jib settings in src/pom.xml (profile {@code image}) are what deploy/base's
 * Deployment relies on. The uid and gid, the port, the config directory and the entrypoint each
 * appear in both places; a change to one side fails here until the other follows.
 */
class JibImageConfigTest {
    static Element jib;
    static Element jibManaged;
    static Deployment deployment;
    static Container container;
    static String projectVersion;

    @BeforeAll
    static void read() throws Exception {
        Path root = Manifests.root();
        Document app = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(root.resolve("src/pom.xml").toFile());
        Document parent = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(root.resolve("pom.xml").toFile());
        Element image = children(child(app.getDocumentElement(), "profiles"), "profile").stream()
                .filter(p -> text(p, "id").equals("image")).findFirst()
                .orElseThrow(() -> new AssertionError("src/pom.xml has no profile with id image"));
        jib = plugin(child(child(image, "build"), "plugins"));
        jibManaged = plugin(child(child(child(parent.getDocumentElement(), "build"), "pluginManagement"), "plugins"));
        projectVersion = text(parent.getDocumentElement(), "version");
        deployment = Manifests.deployment(Manifests.objects(Manifests.base()));
        container = Manifests.container(deployment);
    }

    @Test
    void jib352IsDeclaredOnceAndSkippedEverywhereButTheImageProfile() {
        assertThat(text(jibManaged, "version")).isEqualTo("3.5.2");
        assertThat(text(child(jibManaged, "configuration"), "skip")).as("root pluginManagement: tools/ and server/ build no image").isEqualTo("true");
        assertThat(child(jib, "version")).as("the version lives in the root pom").isNull();
        assertThat(text(child(jib, "configuration"), "skip")).isEqualTo("false");
    }

    @Test
    void theBaseImageIsAJre17() {
        String from = text(child(child(jib, "configuration"), "from"), "image");
        assertThat(from).as("from.image").matches("[^:]*(temurin|openjdk|jre)[^:]*:17[^ ]*jre.*");
    }

    @Test
    void theImagesUserIsTheNumericUidAndGidTheDeploymentRunsAs() {
        String user = text(container(), "user");
        assertThat(user).as("container.user: numeric uid:gid, so runAsNonRoot can verify it").matches("\\d+:\\d+");
        long uid = Long.parseLong(user.split(":")[0]);
        long gid = Long.parseLong(user.split(":")[1]);
        assertThat(uid).as("not root").isPositive();
        PodSecurityContext pod = deployment.getSpec().getTemplate().getSpec().getSecurityContext();
        assertThat(pod.getRunAsUser()).as("the Deployment's runAsUser").isEqualTo(uid);
        assertThat(pod.getRunAsGroup()).as("the Deployment's runAsGroup").isEqualTo(gid);
        assertThat(pod.getRunAsNonRoot()).isTrue();
    }

    @Test
    void theImageExposesThePortTheDeploymentServesOn() {
        List<String> ports = children(child(container(), "ports"), "port").stream().map(Node::getTextContent).map(String::strip).toList();
        assertThat(container.getPorts()).singleElement().satisfies(p -> {
            assertThat(ports).contains(String.valueOf(p.getContainerPort()));
            assertThat(container.getArgs()).containsSubsequence("--port", String.valueOf(p.getContainerPort()));
        });
    }

    @Test
    void theEntrypointRunsMainAndTheDeploymentOnlyPassesArguments() throws Exception {
        String mainClass = text(container(), "mainClass");
        Method main = Class.forName(mainClass).getMethod("main", String[].class);
        assertThat(Modifier.isStatic(main.getModifiers())).isTrue();
        assertThat(container.getCommand()).as("a command would replace the image's entrypoint").isNullOrEmpty();
        assertThat(container.getArgs()).first().isEqualTo("serve");
        assertThat(child(container(), "entrypoint")).as("Jib's own java entrypoint, with the jvmFlags").isNull();
    }

    @Test
    void configIsAtEtcTrainopsWhereTheDeploymentMountsItAndPointsConfigDir() throws Exception {
        Element path = children(child(child(child(jib, "configuration"), "extraDirectories"), "paths"), "path").stream()
                .filter(p -> text(p, "into").equals("/etc/trainops")).findFirst()
                .orElseThrow(() -> new AssertionError("no extraDirectories path into /etc/trainops"));
        assertThat(text(path, "from")).isEqualTo("${project.basedir}/../config");
        assertThat(container.getArgs()).containsSubsequence("--config-dir", "/etc/trainops");
        assertThat(container.getVolumeMounts()).extracting(VolumeMount::getMountPath).contains("/etc/trainops");

        // every file a ConfigMap puts at /etc/trainops is in the image too, so the image alone can serve
        List<PathMatcher> includes = children(child(path, "includes"), "include").stream()
                .map(i -> FileSystems.getDefault().getPathMatcher("glob:" + i.getTextContent().strip())).toList();
        Path config = Manifests.root().resolve("config");
        List<String> needed = new ArrayList<>();
        try (Stream<Path> files = Stream.concat(Files.list(Manifests.base().resolve("config")).map(f -> Path.of(f.getFileName().toString())),
                Files.list(Manifests.overlay("sandbox").resolve("sandbox")).map(f -> Path.of("sandbox", f.getFileName().toString())))) {
            files.forEach(f -> needed.add(f.toString()));
        }
        assertThat(needed).isNotEmpty().allSatisfy(f -> {
            assertThat(config.resolve(f)).isRegularFile();
            assertThat(includes).as("extraDirectories includes " + f).anyMatch(m -> m.matches(Path.of(f)));
        });
    }

    @Test
    void theImageNameIsTheOneTheKustomizationsRetag() throws Exception {
        String to = text(child(child(jib, "configuration"), "to"), "image");
        assertThat(to).isEqualTo("trainops:${project.version}");
        Map<?, ?> k = new tools.jackson.dataformat.yaml.YAMLMapper().readValue(Files.readString(Manifests.base().resolve("kustomization.yaml")), Map.class);
        assertThat((List<?>) k.get("images")).singleElement().satisfies(i -> {
            assertThat(((Map<?, ?>) i).get("name")).isEqualTo("trainops");
            assertThat(((Map<?, ?>) i).get("newTag")).as("deploy/base's image tag: the project version").isEqualTo(projectVersion);
        });
        assertThat(container.getImage()).isEqualTo("trainops:" + projectVersion);
    }

    private static Element container() {
        return child(child(jib, "configuration"), "container");
    }

    private static Element plugin(Element plugins) {
        return children(plugins, "plugin").stream()
                .filter(p -> text(p, "groupId").equals("com.google.cloud.tools") && text(p, "artifactId").equals("jib-maven-plugin"))
                .findFirst().orElseThrow(() -> new AssertionError("no jib-maven-plugin in " + plugins.getParentNode().getNodeName()));
    }

    private static Element child(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        if (parent == null) {
            return found;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                found.add(e);
            }
        }
        return found;
    }

    private static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? "" : e.getTextContent().strip();
    }
}
