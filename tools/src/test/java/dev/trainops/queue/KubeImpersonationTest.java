package dev.trainops.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.access.Principal;
import dev.trainops.access.Role;
import dev.trainops.kube.SpotNodes;
import dev.trainops.store.Store;
import dev.trainops.testing.CrudMockServer;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md "Identity and tenancy", rule 9: under {@code --kube-impersonate} the Job of a queued
 * job is created as its submitter (by the admission loop, from the submitter stored with the job)
 * and deleted on cancel as the canceller, each request carrying {@code Impersonate-User} and one
 * {@code Impersonate-Group} per team; without the flag no request carries them. The fabric8 mock
 * API server in CRUD mode records every request, headers included.
 */
class KubeImpersonationTest {
    static final Principal ALICE = new Principal("alice@example.com", Set.of("team-a", "ml-platform"), Role.MEMBER);
    static final Principal BOB = new Principal("bob@example.com", Set.of("team-a"), Role.MEMBER);

    static final Principal MALLORY = new Principal("mallory@example.com", Set.of("team-a"), Role.MEMBER);

    @TempDir
    Path dir;
    CrudMockServer mock;
    QueueHarness q;
    /** The queue as {@code serve --kube-impersonate} wires it: its own scheduler and service over the harness's store and cluster. */
    QueueService impersonating;

    @BeforeEach
    void cluster() throws Exception {
        // the cluster's RBAC, as far as these tests need it: mallory may not create Jobs
        mock = new CrudMockServer(new KubernetesCrudDispatcher() {
            @Override
            public MockResponse handleCreate(RecordedRequest request) {
                if (MALLORY.subject().equals(request.getHeader("Impersonate-User"))) {
                    return new MockResponse().setResponseCode(403).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                            + "\"reason\":\"Forbidden\",\"code\":403,\"message\":\"jobs.batch is forbidden: User \\\"mallory@example.com\\\" "
                            + "cannot create resource \\\"jobs\\\" in API group \\\"batch\\\" in the namespace \\\"team-a\\\"\"}");
                }
                return super.handleCreate(request);
            }
        });
        mock.client().resource(MockQueueCluster.h100("h100-a")).create();
        mock.client().resource(MockQueueCluster.h100("h100-b")).create();
        q = new QueueHarness(mock.client(), Store.sqlite(dir), Scheduler.Settings.defaults());
        q.quota("team-a", 16);
        PriorityConfig priorities = PriorityConfig.defaults();
        Scheduler scheduler = new Scheduler(q.queue, q.index, new JobLauncher(q.client, priorities, q.templates, SpotNodes.DEFAULTS, true),
                QuotaConfig.defaults(), team -> Optional.empty(), node -> OptionalDouble.empty(), q.prices, q.clock,
                Scheduler.Settings.defaults());
        Estimator estimates = (model, epochs, batch, type, gpus, spot, at) -> q.estimate(model, epochs, batch, type, gpus, spot, at);
        impersonating = new QueueService(q.queue, scheduler, priorities, QuotaConfig.defaults(), estimates, team -> Optional.empty(),
                q.prices, q.clock, new DryRun(new JobManifest(priorities, q.templates), scheduler, q.clock));
    }

    @AfterEach
    void close() {
        q.close();
        mock.close();
    }

    @Test
    void rule9_withKubeImpersonateTheJobIsCreatedAsItsSubmitter() throws Exception {
        QueueAnswer queued = impersonating.submit(QueueHarness.request("team-a", "run-1", "llm", 1, Priority.NORMAL), dev.trainops.catalog.CallContext.of(ALICE));

        assertThat(queued.state()).isEqualTo(JobState.SCHEDULED);
        assertThat(queued.submittedBy()).isEqualTo("alice@example.com");
        QueuedJob stored = q.job(queued.jobId());
        assertThat(stored.spec().submittedBy()).isEqualTo("alice@example.com");
        assertThat(stored.spec().submittedGroups()).containsExactly("ml-platform", "team-a");
        RecordedRequest create = only(requests(), "POST", "/apis/batch/v1/namespaces/team-a/jobs");
        assertThat(create.getHeader("Impersonate-User")).isEqualTo("alice@example.com");
        assertThat(create.getHeaders().headers("Impersonate-Group")).containsExactly("ml-platform", "team-a");
    }

    /** docs/kubernetes.md, "Ownership": the cluster's RBAC decided when it let the TrainingJob be created. */
    @Test
    void rule9_withKubeImpersonateTheJobOfATrainingJobIsCreatedAsTheServer() throws Exception {
        QueueAnswer queued = impersonating.submit(QueueHarness.request("team-a", "run-1", "llm", 1, Priority.NORMAL),
                dev.trainops.catalog.CallContext.of(MALLORY), new Owner("trainops.dev/v1alpha1", "TrainingJob", "run-1", "uid-1"));

        assertThat(queued.state()).isEqualTo(JobState.SCHEDULED);
        RecordedRequest create = only(requests(), "POST", "/apis/batch/v1/namespaces/team-a/jobs");
        assertThat(create.getHeader("Impersonate-User")).isNull();
    }

    @Test
    void rule9_withKubeImpersonateACancelDeletesTheJobAsTheCanceller() throws Exception {
        QueueAnswer queued = impersonating.submit(QueueHarness.request("team-a", "run-1", "llm", 1, Priority.NORMAL), dev.trainops.catalog.CallContext.of(ALICE));
        String kubeName = q.job(queued.jobId()).kubeName();
        requests();

        CancelAnswer cancelled = impersonating.cancel(new CancelRequest(queued.jobId(), "not needed"), dev.trainops.catalog.CallContext.of(BOB));

        assertThat(cancelled.newState()).isEqualTo(JobState.CANCELLED);
        RecordedRequest delete = only(requests(), "DELETE", "/apis/batch/v1/namespaces/team-a/jobs/" + kubeName);
        assertThat(delete.getHeader("Impersonate-User")).isEqualTo("bob@example.com");
        assertThat(delete.getHeaders().headers("Impersonate-Group")).containsExactly("team-a");
        assertThat(q.client.batch().v1().jobs().inNamespace("team-a").withName(kubeName).get()).isNull();
    }

    @Test
    void rule9_withoutKubeImpersonateTheJobIsCreatedAndCancelledAsTheServer() throws Exception {
        QueueAnswer queued = q.service.submit(QueueHarness.request("team-a", "run-1", "llm", 1, Priority.NORMAL), dev.trainops.catalog.CallContext.of(ALICE));
        q.service.cancel(new CancelRequest(queued.jobId(), "not needed"), dev.trainops.catalog.CallContext.of(BOB));

        assertThat(q.job(queued.jobId()).spec().submittedBy()).isEqualTo("alice@example.com");
        List<RecordedRequest> all = requests();
        assertThat(only(all, "POST", "/apis/batch/v1/namespaces/team-a/jobs").getHeader("Impersonate-User")).isNull();
        assertThat(only(all, "DELETE", "/apis/batch/v1/namespaces/team-a/jobs/").getHeader("Impersonate-User")).isNull();
        assertThat(all).allSatisfy(r -> assertThat(r.getHeaders().toMultimap().keySet())
                .noneMatch(h -> h.toLowerCase(java.util.Locale.ROOT).startsWith("impersonate-")));
    }

    @Test
    void rule9_aJobWithNoRecordedSubmitterIsCreatedAsTheServer() throws Exception {
        // a job queued before V10 recorded submitters: the enqueue helper stores one without
        QueuedJob old = q.enqueue(QueueHarness.request("team-a", "run-old", "llm", 1, Priority.NORMAL));
        assertThat(q.job(old.jobId()).spec().submittedBy()).isNull();

        impersonating.submit(QueueHarness.request("team-a", "run-new", "llm", 1, Priority.NORMAL), dev.trainops.catalog.CallContext.of(ALICE));

        List<RecordedRequest> creates = requests().stream().filter(r -> r.getMethod().equals("POST")
                && r.getPath().startsWith("/apis/batch/v1/namespaces/team-a/jobs")).toList();
        assertThat(creates).hasSize(2);
        assertThat(creates).extracting(r -> r.getHeader("Impersonate-User")).containsExactlyInAnyOrder(null, "alice@example.com");
        assertThat(q.job(old.jobId()).state()).isEqualTo(JobState.SCHEDULED);
    }

    @Test
    void rule9_aJobItsSubmitterMayNotCreateFailsSayingWhy() throws Exception {
        QueueAnswer queued = impersonating.submit(QueueHarness.request("team-a", "run-1", "llm", 2, Priority.NORMAL), dev.trainops.catalog.CallContext.of(MALLORY));

        QueuedJob job = q.job(queued.jobId());
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.reason()).isEqualTo(Reason.JOB_FAILED);
        assertThat(job.reasonDetail()).isEqualTo("Kubernetes refused to create its Job as mallory@example.com (--kube-impersonate): they "
                + "may not create batch Jobs in namespace team-a. A cluster admin grants that with a Role and RoleBinding for the team's "
                + "group (README, \"Kubernetes impersonation\").");
        assertThat(q.client.batch().v1().jobs().inNamespace("team-a").list().getItems()).isEmpty();
        assertThat(queued.state()).isEqualTo(JobState.FAILED);
        // what it was admitted to is free again: alice's two 8-GPU jobs take all 16 GPUs of the team's quota
        assertThat(impersonating.submit(QueueHarness.request("team-a", "run-2", "llm", 8, Priority.NORMAL), dev.trainops.catalog.CallContext.of(ALICE)).state())
                .isEqualTo(JobState.SCHEDULED);
        assertThat(impersonating.submit(QueueHarness.request("team-a", "run-3", "llm", 8, Priority.NORMAL), dev.trainops.catalog.CallContext.of(ALICE)).state())
                .isEqualTo(JobState.SCHEDULED);
    }

    @Test
    void rule9_noSystemNameIsEverImpersonated() throws Exception {
        Principal system = new Principal("system:serviceaccount:kube-system:default", Set.of("team-a"), Role.MEMBER);
        Principal carol = new Principal("carol@example.com", Set.of("team-a", "system:masters"), Role.MEMBER);

        QueueAnswer refused = impersonating.submit(QueueHarness.request("team-a", "run-1", "llm", 1, Priority.NORMAL), dev.trainops.catalog.CallContext.of(system));
        impersonating.submit(QueueHarness.request("team-a", "run-2", "llm", 1, Priority.NORMAL), dev.trainops.catalog.CallContext.of(carol));

        assertThat(refused.state()).isEqualTo(JobState.FAILED);
        assertThat(refused.reasonDetail()).isEqualTo("trainops does not impersonate 'system:serviceaccount:kube-system:default' "
                + "(--kube-impersonate): a system: name is the cluster's own; call as a person or a team's account.");
        RecordedRequest create = only(requests(), "POST", "/apis/batch/v1/namespaces/team-a/jobs");
        assertThat(create.getHeader("Impersonate-User")).isEqualTo("carol@example.com");
        assertThat(create.getHeaders().headers("Impersonate-Group")).containsExactly("team-a");
    }

    /** Every request the mock API server has received since the last call (informers' included), in order. */
    private List<RecordedRequest> requests() throws InterruptedException {
        List<RecordedRequest> out = new ArrayList<>();
        for (RecordedRequest r = mock.server().takeRequest(100, TimeUnit.MILLISECONDS); r != null;
             r = mock.server().takeRequest(100, TimeUnit.MILLISECONDS)) {
            out.add(r);
        }
        return out;
    }

    private static RecordedRequest only(List<RecordedRequest> requests, String method, String pathPrefix) {
        List<RecordedRequest> matching = requests.stream().filter(r -> r.getMethod().equals(method) && r.getPath().startsWith(pathPrefix))
                .toList();
        assertThat(matching).as(method + " " + pathPrefix).hasSize(1);
        return matching.get(0);
    }
}
