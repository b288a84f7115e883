package dev.trainops.app;

import dev.trainops.access.Principal;
import dev.trainops.audit.Audit;
import dev.trainops.audit.AuditLog;
import dev.trainops.catalog.Json;
import dev.trainops.queue.QuotaApplier;
import dev.trainops.queue.QuotaConfig;
import dev.trainops.store.Store;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code trainops quotas apply}: config/quotas.yaml to the cluster as ResourceQuotas and LimitRanges. */
@Command(name = "quotas", mixinStandardHelpOptions = true, description = "Manage team quotas in the cluster.",
        subcommands = QuotasCommand.Apply.class)
final class QuotasCommand {

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = "Create or update, per team in config/quotas.yaml, the ResourceQuota trainops-quota and the LimitRange "
                    + "trainops-defaults (idempotent; --dry-run says what would change). Uses KUBECONFIG like kubectl. Each apply "
                    + "is written to the audit log in the store (TRAINOPS_DB_URL, else the data directory's SQLite), failed ones too.")
    static final class Apply implements Callable<Integer> {
        /** The audit log's name for this command (DESIGN.md rule 7). */
        static final String AUDITED_AS = "quotas apply";

        @Option(names = "--config-dir", paramLabel = "DIR", description = "Config directory (default: $TRAINOPS_HOME/config).")
        Path configDir;

        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "Where the store (and its audit log) lives without TRAINOPS_DB_URL (default: $TRAINOPS_HOME/data, else ./data).")
        Path dataDir;

        @Option(names = "--dry-run", description = "Only say what would be created or updated.")
        boolean dryRun;

        @Override
        public Integer call() throws Exception {
            Path file = BackendOptions.orHome(configDir, "config").resolve("quotas.yaml");
            QuotaConfig config = QuotaConfig.load(file);
            Map<String, String> env = System.getenv();
            String url = env.get("TRAINOPS_DB_URL");
            TrainopsConfig.StoreConfig storeConfig = new TrainopsConfig.StoreConfig(url == null || url.isBlank() ? null : url.strip(),
                    env.get("TRAINOPS_DB_USER"), env.get("TRAINOPS_DB_PASSWORD"));
            // the audit log must be there before anything changes: no store, no apply
            try (Store store = storeConfig.open(BackendOptions.orHome(dataDir, "data"));
                 KubernetesClient client = new KubernetesClientBuilder().build()) {
                Map<String, Object> args = new LinkedHashMap<>();
                args.put("config", file.toString());
                args.put("teams", List.copyOf(config.teams().keySet()));
                args.put("dry_run", dryRun);
                Audit audit = new Audit(new AuditLog(store), Clock.systemUTC(), Principal.LOCAL, AUDITED_AS, null, Json.write(args));
                System.out.println("cluster: " + client.getConfiguration().getMasterUrl());
                QuotaApplier.apply(client, config, dryRun, audit).forEach(System.out::println);
            }
            return 0;
        }
    }
}
