package dev.trainops.kueue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kueue on fabric8's CRUD mock API server: its real CRDs (tools/src/test/resources/kueue, v0.19.2),
 * so the status subresources behave as on a cluster, and the fixtures written as Kueue's v1beta2
 * API defines them.
 */
final class KueueFixtures {
    static final Path DIR = Path.of("src/test/resources/kueue");
    static final KubernetesSerialization KUBE = new KubernetesSerialization();
    /** Parsing the Workload CRD (1.4 MB) takes a while: once per run. */
    private static final Map<String, CustomResourceDefinition> CRDS = new ConcurrentHashMap<>();

    private KueueFixtures() {
    }

    static CustomResourceDefinition crd(String plural) {
        return CRDS.computeIfAbsent(plural, p -> {
            try (InputStream in = Files.newInputStream(DIR.resolve("kueue.x-k8s.io_" + p + ".yaml"))) {
                return KUBE.unmarshal(in, CustomResourceDefinition.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Installs Kueue's Workload, AdmissionCheck and ResourceFlavor CRDs. */
    static void install(KubernetesClient client) {
        for (String plural : new String[] {"workloads", "admissionchecks", "resourceflavors"}) {
            client.apiextensions().v1().customResourceDefinitions().resource(crd(plural)).create();
        }
    }

    /** A fixture of tools/src/test/resources/kueue/fixtures. */
    static GenericKubernetesResource load(String name) {
        try (InputStream in = Files.newInputStream(DIR.resolve("fixtures").resolve(name))) {
            return KUBE.unmarshal(in, GenericKubernetesResource.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates the object, then writes its status through the status subresource (a create does not take a status). */
    static GenericKubernetesResource create(KubernetesClient client, ResourceDefinitionContext kind, GenericKubernetesResource r) {
        Object status = r.getAdditionalProperties().get("status");
        var all = client.genericKubernetesResources(kind);
        GenericKubernetesResource created = kind.isNamespaceScoped() ? all.inNamespace(r.getMetadata().getNamespace()).resource(r).create()
                : all.resource(r).create();
        if (status == null) {
            return created;
        }
        created.setAdditionalProperty("status", status);
        return kind.isNamespaceScoped() ? all.inNamespace(r.getMetadata().getNamespace()).resource(created).updateStatus()
                : all.resource(created).updateStatus();
    }

    static GenericKubernetesResource get(KubernetesClient client, ResourceDefinitionContext kind, String namespace, String name) {
        var all = client.genericKubernetesResources(kind);
        return namespace == null ? all.withName(name).get() : all.inNamespace(namespace).withName(name).get();
    }

    /** A deep copy, to change a fixture for one test. */
    static GenericKubernetesResource copy(GenericKubernetesResource r) {
        return KUBE.unmarshal(KUBE.asJson(r), GenericKubernetesResource.class);
    }
}
