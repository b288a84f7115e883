package dev.trainops.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Writes a custom resource's status through its status subresource (a PUT of {@code /status}, verb {@code update} on
 * {@code <plural>/status}), conflict-safe: the write carries the resourceVersion it was computed from, so a write
 * based on a stale copy is refused with 409 by the API server instead of overwriting a newer object; then the latest
 * object is read and the change computed again on it, up to {@link #ATTEMPTS} times. Only the status is written (the
 * API server ignores the rest of the body on {@code /status}), so a user's spec edit meanwhile is never undone.
 */
public final class StatusWriter {
    /** Writes tried before a conflict is given up on (the next reconcile tries again). */
    public static final int ATTEMPTS = 5;

    private final KubernetesClient client;

    public StatusWriter(KubernetesClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /**
     * Applies {@code change} to a copy of {@code current} (an informer's copy is never changed) and writes the copy's
     * status. {@code change} returns the object to write, or null when the status is as it should be (nothing is
     * written). On a 409 the latest object is read and {@code change} applied to it again.
     *
     * @return the object as written (or as it stands when nothing needed writing); empty when the object is gone
     * @throws KubernetesClientException any other refusal, or a conflict still there after {@link #ATTEMPTS} writes
     */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> Optional<T> update(T current, UnaryOperator<T> change) {
        T base = current;
        for (int attempt = 1; ; attempt++) {
            T next = change.apply(client.getKubernetesSerialization().clone(base));
            if (next == null) {
                return Optional.of(base);
            }
            try {
                return Optional.of(client.resource(next).updateStatus());
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return Optional.empty();
                }
                if (e.getCode() != 409 || attempt >= ATTEMPTS) {
                    throw e;
                }
            }
            T latest = (T) client.resources(base.getClass()).inNamespace(base.getMetadata().getNamespace())
                    .withName(base.getMetadata().getName()).get();
            if (latest == null) {
                return Optional.empty();
            }
            base = latest;
        }
    }
}
