package dev.trainops.app;

import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.simulate.Report;
import dev.trainops.simulate.Run;
import dev.trainops.simulate.Simulator;
import dev.trainops.simulate.Summary;
import dev.trainops.simulate.Trace;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code trainops simulate}: replays a GPU job trace through the production admission planner and
 * price book on a virtual clock (docs/simulate.md) and writes summary.json and report.html.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Replay a GPU job trace (Microsoft ITP CSV: job_id,submission_time,duration,num_gpu) through trainops's own admission "
                + "planner, tariff calendar and price book on a virtual clock, side by side with strict FIFO; writes summary.json and "
                + "report.html. Teams, priorities, GPU type and budgets are synthetic (seeded), as the trace records none.")
final class SimulateCommand implements Callable<Integer> {
    @Option(names = "--trace", required = true, paramLabel = "FILE", description = "The trace CSV (e.g. ../shared/data/gputrace/cluster02.csv).")
    Path trace;

    @Option(names = "--policy", defaultValue = "all", description = "trainops, fifo or all (default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--load", paramLabel = "X", description = "Size the cluster for this offered load: GPUs = ceil(trace GPU-hours / "
            + "(span hours x X)), rounded up to whole nodes (default 0.8 unless --gpus is given).")
    Double load;

    @Option(names = "--gpus", paramLabel = "N", description = "Cluster size in GPUs, rounded up to whole nodes (instead of --load).")
    Integer gpus;

    @Option(names = "--gpus-per-node", defaultValue = "8", description = "GPUs per node (default: ${DEFAULT-VALUE}).")
    int gpusPerNode;

    @Option(names = "--seed", defaultValue = "17", description = "Seed of the synthetic teams and priorities (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--team-budget", paramLabel = "USD", description = "Each synthetic team's monthly budget (default: generous, "
            + "ten times the whole trace's cost, never binding).")
    BigDecimal teamBudget;

    @Option(names = "--out", defaultValue = "simulate-out", paramLabel = "DIR", description = "Where summary.json and report.html go "
            + "(default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--config-dir", paramLabel = "DIR", description = "Config directory with pricing.yaml (default: $TRAINOPS_HOME/config).")
    Path configDir;

    @Override
    public Integer call() throws Exception {
        List<Simulator.Policy> policies = switch (policy.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "all" -> List.of(Simulator.Policy.FIFO, Simulator.Policy.TRAINOPS);
            case "fifo" -> List.of(Simulator.Policy.FIFO);
            case "trainops" -> List.of(Simulator.Policy.TRAINOPS);
            default -> null;
        };
        if (policies == null) {
            System.err.println("trainops simulate: --policy must be trainops, fifo or all (got " + policy + ").");
            return 2;
        }
        if (gpusPerNode < 1 || (gpus != null && gpus < 1) || (load != null && !(load > 0)) || (gpus != null && load != null)) {
            System.err.println("trainops simulate: give --gpus N (N >= 1) or --load X (X > 0), not both; --gpus-per-node must be at least 1.");
            return 2;
        }
        if (teamBudget != null && (teamBudget.signum() <= 0 || teamBudget.scale() > 6)) {
            System.err.println("trainops simulate: --team-budget must be a positive amount with at most 6 decimals (e.g. 5000.00).");
            return 2;
        }
        if (!Files.isRegularFile(trace)) {
            System.err.println("trainops simulate: --trace " + trace + " is not a file; the ITP traces are in ../shared/data/gputrace.");
            return 2;
        }
        Trace t;
        try {
            t = Trace.read(trace);
        } catch (IllegalArgumentException e) {
            System.err.println("trainops simulate: " + e.getMessage());
            return 2;
        }
        PriceBook prices = PricingConfig.load(BackendOptions.orHome(configDir, "config").resolve("pricing.yaml"));
        int size = gpus != null ? (int) ((gpus + (long) gpusPerNode - 1) / gpusPerNode * gpusPerNode)
                : t.gpusForLoad(load == null ? 0.8 : load, gpusPerNode);
        Simulator.Setup d = Simulator.Setup.defaults(size, gpusPerNode, seed);
        Simulator.Setup setup = teamBudget == null ? d : new Simulator.Setup(d.gpus(), d.gpusPerNode(), d.gpuType(), d.epoch(), d.synthetic(),
                d.checkpointSeconds(), teamBudget.movePointRight(6).longValueExact());
        Simulator sim = new Simulator(t, setup, prices);
        List<Run> runs = new ArrayList<>();
        long started = System.nanoTime();
        for (Simulator.Policy p : policies) {
            runs.add(sim.run(p));
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, Object> summary = Summary.of(t, setup, runs);
        Files.createDirectories(out);
        Files.writeString(out.resolve("summary.json"), Summary.json(summary), StandardCharsets.UTF_8);
        Files.writeString(out.resolve("report.html"), Report.html(summary, setup, runs), StandardCharsets.UTF_8);
        System.out.printf(java.util.Locale.ROOT, "trainops simulate: %s, %d jobs on %d GPUs (%d nodes), load %s; %d policies replayed in %.2f s%n",
                t.name(), t.jobs().size(), setup.gpus(), setup.gpus() / gpusPerNode, summary.get("load"), runs.size(), seconds);
        Summary.criteria(summary).forEach(line -> System.out.println("  " + line));
        if (policies.contains(Simulator.Policy.TRAINOPS)) {
            long[] plans = sim.plans(Simulator.Policy.TRAINOPS);
            System.out.printf(java.util.Locale.ROOT, "  trainops planner calls: %d on the whole queue, %d on arrivals only (nothing else changed)%n",
                    plans[0], plans[1]);
        }
        System.out.println("  wrote " + out.resolve("summary.json") + " and " + out.resolve("report.html"));
        return 0;
    }
}
