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
    public <T extends HasMetadata> Optional<T> update(T current, UnaryOperator<T> change) {
        return update(current, change, this::get);
    }

    /**
     * The same, with the latest copy after a conflict taken from {@code latest} (an informer's cache: no GET, so no
     * {@code get} permission) instead of read from the API server; null means the object is gone. A copy no newer than
     * the one refused ends the attempts with the 409 (the caller's next pass tries again on a fresher copy).
     */
    public <T extends HasMetadata> Optional<T> update(T current, UnaryOperator<T> change, UnaryOperator<T> latest) {
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
                T fresher = latest.apply(base);
                if (fresher == null) {
                    return Optional.empty();
                }
                if (java.util.Objects.equals(fresher.getMetadata().getResourceVersion(), base.getMetadata().getResourceVersion())) {
                    throw e;
                }
                base = fresher;
            }
        }
    }

    /** The object as the API server has it now, or null. */
    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> T get(T object) {
        return (T) client.resources(object.getClass()).inNamespace(object.getMetadata().getNamespace())
                .withName(object.getMetadata().getName()).get();
    }
}
