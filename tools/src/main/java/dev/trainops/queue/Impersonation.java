package dev.trainops.queue;

import dev.trainops.access.Principal;
import dev.trainops.names.TeamName;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.RequestConfig;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DESIGN.md "Identity and tenancy", rule 9: the client for a Kubernetes call trainops makes on
 * someone's behalf. Off (the default), that is the server's own client, its ServiceAccount. With
 * {@code --kube-impersonate}, it is one whose requests carry {@code Impersonate-User} (the
 * principal's subject) and {@code Impersonate-Group} (each of its teams), so the cluster's RBAC
 * decides as well as trainops's roles (README, "Kubernetes impersonation").
 *
 * <p>The impersonating client comes from fabric8's {@code newClient(RequestConfig)}, what its
 * {@code withRequestConfig(...).call(...)} uses: a derived HTTP client that only tags each request
 * with the config, over the server client's connections. So one per call costs no connection pool,
 * needs no cache, and is never closed: closing a derived client would close the shared one.
 */
final class Impersonation {
    private static final Logger log = LoggerFactory.getLogger(Impersonation.class);

    private final KubernetesClient server;
    private final boolean enabled;

    Impersonation(KubernetesClient server, boolean enabled) {
        this.server = server;
        this.enabled = enabled;
        if (enabled) {
            log.info("--kube-impersonate: a job's Job is created as its submitter, and deleted on cancel as the canceller");
        }
    }

    /**
     * The client that creates {@code job}'s Job: as its submitter, or as the server when it has none recorded, when it was
     * submitted for a Kubernetes object ({@link Owner}), or when this is off.
     */
    KubernetesClient forSubmitter(QueuedJob job) {
        if (!enabled) {
            return server;
        }
        if (Owner.of(job).isPresent()) {
            // a TrainingJob's (or TrainingBatch's) Job: the cluster's RBAC decided when it let the object be created
            return server;
        }
        String user = job.spec().submittedBy();
        if (user == null) {
            log.info("job {} has no recorded submitter (queued before trainops recorded them): its Job is created as the server's "
                    + "ServiceAccount, not impersonated", job.jobId());
            return server;
        }
        return as(user, job.spec().submittedGroups());
    }

    /** The client for a call {@code principal} asked for (a cancel): as them, or as the server when this is off or nobody is named. */
    KubernetesClient forCaller(Principal principal) {
        if (!enabled) {
            return server;
        }
        if (principal == null) {
            log.info("a call on nobody's behalf: made as the server's ServiceAccount, not impersonated");
            return server;
        }
        return as(principal.subject(), principal.teams());
    }

    /**
     * Never a {@code system:} name (the API server's own users, service accounts, {@code system:masters}):
     * a subject like that is refused, and only teams that are team names (namespaces) become groups.
     */
    private KubernetesClient as(String user, Collection<String> teams) {
        if (user.startsWith("system:")) {
            throw new JobLauncher.Refused("trainops does not impersonate '" + user + "' (--kube-impersonate): a system: name is the "
                    + "cluster's own; call as a person or a team's account.");
        }
        String[] groups = teams.stream().filter(TeamName::isValid).sorted().toArray(String[]::new);
        RequestConfig base = server.getConfiguration().getRequestConfig();
        RequestConfig impersonating = (base == null ? new RequestConfigBuilder() : new RequestConfigBuilder(base))
                .withImpersonateUsername(user).withImpersonateGroups(groups).build();
        return server.newClient(impersonating).adapt(KubernetesClient.class);
    }
}
