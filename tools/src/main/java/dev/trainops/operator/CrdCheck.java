package dev.trainops.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a controller's CRD is installed, looked up (a GET of the CRD by name, which is all RBAC grants) at most
 * once every {@link #EVERY}: a controller whose CRD is absent stays off, says so once, and looks again; a lookup the
 * API server refuses (403, 5xx) counts as absent and is said once too (docs/kubernetes.md).
 */
public final class CrdCheck {
    private static final Logger log = LoggerFactory.getLogger(CrdCheck.class);
    public static final Duration EVERY = Duration.ofMinutes(1);

    private final KubernetesClient client;
    private final String crd;
    private final String controller;
    private final Clock clock;
    private Instant next = Instant.MIN;
    private boolean said;

    /** @param controller the controller's name as the log says it, e.g. "TrainingJob controller" */
    public CrdCheck(KubernetesClient client, String crd, String controller, Clock clock) {
        this.client = client;
        this.crd = crd;
        this.controller = controller;
        this.clock = clock;
    }

    /** Whether the CRD is there, when a lookup is due; false between lookups. */
    public synchronized boolean found() {
        Instant now = clock.instant();
        if (now.isBefore(next)) {
            return false;
        }
        next = now.plus(EVERY);
        try {
            if (installed(client, crd)) {
                return true;
            }
            if (!said) {
                log.info("the CRD {} is not installed: the {} is off and looks again every minute (kubectl apply -k deploy/crds "
                        + "installs it)", crd, controller);
            }
        } catch (KubernetesClientException e) {
            if (!said) {
                log.warn("cannot look up the CRD {} (HTTP {}): the {} stays off and looks again every minute", crd, e.getCode(), controller);
            }
        }
        said = true;
        return false;
    }

    /** The CRD was installed just now (the sandbox seeds it; a test installs it): the next {@link #found()} looks. */
    public synchronized void lookNow() {
        next = Instant.MIN;
    }

    /** Whether {@code crd} is installed; an error other than 404 is thrown. */
    public static boolean installed(KubernetesClient client, String crd) {
        try {
            return client.apiextensions().v1().customResourceDefinitions().withName(crd).get() != null;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }
}
