package dev.trainops.app;

import dev.trainops.queue.QuotaApplier;
import dev.trainops.queue.QuotaConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code trainops quotas apply}: config/quotas.yaml to the cluster as ResourceQuotas and LimitRanges. */
@Command(name = "quotas", mixinStandardHelpOptions = true, description = "Manage team quotas in the cluster.",
        subcommands = QuotasCommand.Apply.class)
final class QuotasCommand {

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = "Create or update, per team in config/quotas.yaml, the ResourceQuota trainops-quota and the LimitRange "
                    + "trainops-defaults (idempotent; --dry-run says what would change). Uses KUBECONFIG like kubectl.")
    static final class Apply implements Callable<Integer> {
        @Option(names = "--config-dir", paramLabel = "DIR", description = "Config directory (default: $TRAINOPS_HOME/config).")
        Path configDir;

        @Option(names = "--dry-run", description = "Only say what would be created or updated.")
        boolean dryRun;

        @Override
        public Integer call() throws Exception {
            QuotaConfig config = QuotaConfig.load(BackendOptions.orHome(configDir, "config").resolve("quotas.yaml"));
            try (KubernetesClient client = new KubernetesClientBuilder().build()) {
                System.out.println("cluster: " + client.getConfiguration().getMasterUrl());
                QuotaApplier.apply(client, config, dryRun).forEach(System.out::println);
            }
            return 0;
        }
    }
}
