package dev.trainops.app;

import picocli.CommandLine.Option;

/** {@code --controllers} for the commands that start trainops (serve, chat): a picocli mixin. */
final class ControllerOptions {
    @Option(names = "--controllers", paramLabel = "auto|on|off", defaultValue = "auto",
            description = "Run the control loops (admission, usage recording, collectors, the training poller) in this process: "
                    + "auto (default) runs them for a local store and, on a shared store (TRAINOPS_DB_URL), only on the replica holding "
                    + "the Kubernetes Lease trainops-leader; on always; off never (this process serves and reads). --read-only implies off.")
    Controllers controllers;

    /** @throws IllegalArgumentException for --read-only with --controllers on, naming both and the fix */
    Trainops.Settings apply(Trainops.Settings settings, boolean readOnly) {
        return settings.withControllers(Controllers.withReadOnly(controllers, readOnly));
    }
}
