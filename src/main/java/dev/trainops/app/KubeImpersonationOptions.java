package dev.trainops.app;

import picocli.CommandLine.Option;

/** {@code serve --kube-impersonate} (DESIGN.md "Identity and tenancy", rule 9; README, "Kubernetes impersonation"). */
final class KubeImpersonationOptions {
    @Option(names = "--kube-impersonate",
            description = "Make the Kubernetes calls trainops makes on a caller's behalf (creating a job's Job as its submitter, "
                    + "deleting it on cancel as the canceller) impersonating them: their subject and teams as user and groups, so "
                    + "the cluster's RBAC decides too. The server's ServiceAccount needs the impersonate verb (README).")
    boolean kubeImpersonate;

    Trainops.Settings apply(Trainops.Settings settings) {
        return settings.withKubeImpersonate(kubeImpersonate);
    }
}
