package dev.trainops.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** trainops quotas apply against the fabric8 CRUD mock: creates, then leaves alone, then updates what changed. */
@EnableKubernetesMockClient(https = false, crud = true)
class QuotaApplierTest {
    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void applyingTwiceChangesNothingTheSecondTimeAndAChangeIsAnUpdate() throws Exception {
        QuotaConfig config = QuotaConfig.load(Path.of("../config/quotas.yaml"));
        assertThat(QuotaApplier.apply(client, config, true)).contains("ResourceQuota team-a/trainops-quota: would be created");
        assertThat(client.resourceQuotas().inAnyNamespace().list().getItems()).isEmpty();

        List<String> first = QuotaApplier.apply(client, config, false);
        assertThat(first).contains("ResourceQuota team-a/trainops-quota: created", "LimitRange team-c/trainops-defaults: created");
        assertThat(client.resourceQuotas().inNamespace("team-b").withName("trainops-quota").get().getSpec().getHard())
                .containsEntry("requests.nvidia.com/gpu", new Quantity("6"));
        assertThat(client.limitRanges().inNamespace("team-a").withName("trainops-defaults").get().getSpec().getLimits().get(0)
                .getDefaultRequest()).containsEntry("cpu", new Quantity("8"));

        List<String> second = QuotaApplier.apply(client, config, false);
        assertThat(second).allSatisfy(line -> assertThat(line).endsWith("unchanged"));

        QuotaConfig bigger = new QuotaConfig(config.warnAt(), Map.of("team-a", new QuotaConfig.TeamQuota(12,
                config.teams().get("team-a").cpu(), config.teams().get("team-a").memory())), config.cpuPerGpu(), config.memoryPerGpu());
        assertThat(QuotaApplier.apply(client, bigger, false)).contains("ResourceQuota team-a/trainops-quota: updated",
                "LimitRange team-a/trainops-defaults: unchanged");
        assertThat(client.resourceQuotas().inNamespace("team-a").withName("trainops-quota").get().getSpec().getHard())
                .containsEntry("requests.nvidia.com/gpu", new Quantity("12"));
    }

    @Test
    void rule7_quotasApplyIsAuditedWithTheLocalPrincipalWhenItWorksAndWhenItFails(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        QuotaConfig config = QuotaConfig.load(Path.of("../config/quotas.yaml"));
        try (dev.trainops.store.Store store = dev.trainops.store.Store.sqlite(dir)) {
            dev.trainops.audit.AuditLog log = new dev.trainops.audit.AuditLog(store);
            java.util.function.Supplier<dev.trainops.audit.Audit> audit = () -> new dev.trainops.audit.Audit(log,
                    java.time.Clock.systemUTC(), dev.trainops.access.Principal.LOCAL, "quotas apply", null, "{\"dry_run\":false}");
            QuotaApplier.apply(client, config, true, audit.get()); // a dry run changes nothing: not recorded
            assertThat(log.list(null, null, null, null, 10)).isEmpty();

            QuotaApplier.apply(client, config, false, audit.get());
            assertThat(log.list(null, null, null, null, 10)).singleElement().satisfies(e -> {
                assertThat(e.subject()).isEqualTo("local");
                assertThat(e.role()).isEqualTo("admin");
                assertThat(e.tool()).isEqualTo("quotas apply");
                assertThat(e.outcome()).isEqualTo("OK");
            });

            server.destroy(); // the API server goes away: the attempt is recorded as it fails
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> QuotaApplier.apply(client, config, false, audit.get()))
                    .isInstanceOf(io.fabric8.kubernetes.client.KubernetesClientException.class);
            assertThat(log.list(null, null, null, "quotas apply", 10)).extracting(dev.trainops.audit.AuditEntry::outcome)
                    .containsExactlyInAnyOrder("UPSTREAM_UNAVAILABLE", "OK");
        }
    }
}
