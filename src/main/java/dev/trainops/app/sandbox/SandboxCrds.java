package dev.trainops.app.sandbox;

import dev.trainops.resource.TrainingBatch;
import dev.trainops.resource.TrainingJob;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The trainops CRDs in the sandbox: installed from the classpath (the YAML fabric8's crd-generator wrote at build
 * time, the same as deploy/crds) when the sandbox starts, before anything watches them; and the TrainingJobs and
 * TrainingBatches among the objects the sandbox saves in the data directory and restores on a restart, kept as they
 * were, uid included (the controllers use the uid as the queue's idempotency key: a restored object must not be
 * submitted a second time).
 */
final class SandboxCrds {
    /** Where the build puts the generated CRDs, on the tools jar's classpath. */
    static final List<String> RESOURCES = List.of(
            "META-INF/fabric8/" + TrainingJob.CRD_NAME + "-v1.yml",
            "META-INF/fabric8/" + TrainingBatch.CRD_NAME + "-v1.yml");

    /** The kinds the sandbox saves and restores with their uid, with the plural of each. */
    private static final List<ResourceDefinitionContext> KINDS = List.of(
            context("TrainingJob", "trainingjobs"),
            context("TrainingBatch", "trainingbatches"));

    private SandboxCrds() {
    }

    private static ResourceDefinitionContext context(String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup(TrainingJob.GROUP).withVersion(TrainingJob.VERSION)
                .withKind(kind).withPlural(plural).withNamespaced(true).build();
    }

    /** The CRDs as the build generated them. */
    static List<CustomResourceDefinition> definitions(KubernetesSerialization serialization) {
        List<CustomResourceDefinition> crds = new ArrayList<>();
        ClassLoader loader = SandboxCrds.class.getClassLoader();
        for (String resource : RESOURCES) {
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(resource + " is not on the classpath: the trainops-tools jar of this build "
                            + "carries it (run ./mvnw -pl tools package, or ./trainops, which builds it)");
                }
                crds.add(serialization.unmarshal(in, CustomResourceDefinition.class));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource, e);
            }
        }
        return crds;
    }

    /** Installs the CRDs into the sandbox's API server, replacing those a previous version of trainops left there. */
    static void install(KubernetesClient client) {
        for (CustomResourceDefinition crd : definitions(client.getKubernetesSerialization())) {
            client.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(existing -> existing.update());
        }
    }

    /** Every TrainingJob and TrainingBatch, as the store holds them (generic: nothing a newer field carries is lost). */
    static List<HasMetadata> objects(KubernetesClient client) {
        List<HasMetadata> out = new ArrayList<>();
        for (ResourceDefinitionContext kind : KINDS) {
            out.addAll(client.genericKubernetesResources(kind).inAnyNamespace().list().getItems());
        }
        return out;
    }

    /** The plural of {@code item}'s kind when it is one the sandbox restores with its uid, else empty. */
    static Optional<String> restoredKeepingUid(HasMetadata item) {
        return KINDS.stream().filter(k -> k.getKind().equals(item.getKind())
                        && (k.getGroup() + "/" + k.getVersion()).equals(item.getApiVersion()))
                .map(ResourceDefinitionContext::getPlural).findFirst();
    }

    /** {@code item} as the generic object the store holds. */
    static GenericKubernetesResource generic(KubernetesClient client, HasMetadata item) {
        if (item instanceof GenericKubernetesResource g) {
            return g;
        }
        return client.getKubernetesSerialization().convertValue(item, GenericKubernetesResource.class);
    }
}
