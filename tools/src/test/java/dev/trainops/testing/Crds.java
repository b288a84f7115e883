package dev.trainops.testing;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * trainops's CRDs as the build generated them (crd-generator, {@code META-INF/fabric8} on the classpath; equal to
 * deploy/crds, CrdsTest), installed into a mock API server, as {@code kubectl apply -k deploy/crds} would on a real
 * cluster: the controllers look the CRD up before they start, and the CRUD mock serves a custom resource's status
 * subresource only when its CRD says it has one.
 */
public final class Crds {
    public static final String TRAINING_JOBS = "trainingjobs.trainops.dev-v1.yml";
    public static final String TRAINING_BATCHES = "trainingbatches.trainops.dev-v1.yml";

    private Crds() {
    }

    /** Installs both CRDs (TrainingJob, TrainingBatch); an installed one stays as it is. */
    public static void install(KubernetesClient client) {
        for (String file : List.of(TRAINING_JOBS, TRAINING_BATCHES)) {
            install(client, file);
        }
    }

    /** Installs one CRD by its generated file's name, e.g. {@link #TRAINING_JOBS}. */
    public static CustomResourceDefinition install(KubernetesClient client, String file) {
        CustomResourceDefinition crd = read(client, file);
        CustomResourceDefinition there = client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName()).get();
        return there != null ? there : client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }

    /** A generated CRD, read from the classpath. */
    public static CustomResourceDefinition read(KubernetesClient client, String file) {
        try (InputStream in = Crds.class.getResourceAsStream("/META-INF/fabric8/" + file)) {
            if (in == null) {
                throw new IllegalStateException("META-INF/fabric8/" + file + " is not on the classpath: build tools (process-classes) first");
            }
            return client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
