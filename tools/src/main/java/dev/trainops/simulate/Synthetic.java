package dev.trainops.simulate;

import dev.trainops.queue.Priority;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What the trace does not record, assigned by seeded rules and labelled synthetic in every output
 * (docs/simulate.md, "Synthetic assignment"). One {@link Random} seeded with {@code seed} draws,
 * for each job in trace order, first its team (uniform over {@code teams}), then a number u in
 * [0, 1) for its priority:
 * <ul>
 *   <li>URGENT when u < {@code urgentShare} and the job is short (at most {@code urgentMaxSeconds})
 *       and fits one node: urgent work is interactive-sized;</li>
 *   <li>BACKGROUND when u >= 1 - {@code backgroundShare}, or when the job runs longer than
 *       {@code backgroundMinSeconds} and u >= 1 - 2 x {@code backgroundShare}: long runs are more
 *       often batch work;</li>
 *   <li>NORMAL otherwise.</li>
 * </ul>
 * BACKGROUND jobs are queued with {@code schedule=off_peak} under the trainops policy, as
 * plan_job_priority advises for work that can wait. Same seed, same trace: same assignment.
 */
public record Synthetic(long seed, List<String> teams, double urgentShare, long urgentMaxSeconds, double backgroundShare,
                        long backgroundMinSeconds) {

    public record Assignment(String team, Priority priority) {
    }

    public Synthetic {
        teams = List.copyOf(teams);
        if (teams.isEmpty()) {
            throw new IllegalArgumentException("at least one synthetic team is needed");
        }
        if (urgentShare < 0 || backgroundShare < 0 || urgentShare + 2 * backgroundShare > 1) {
            throw new IllegalArgumentException("synthetic shares must be >= 0 with urgent + 2 x background <= 1");
        }
    }

    /** The defaults: teams team-a, team-b, team-c; 10% URGENT (jobs up to 2 h), 25% BACKGROUND (more for runs over 8 h). */
    public static Synthetic defaults(long seed) {
        return new Synthetic(seed, List.of("team-a", "team-b", "team-c"), 0.10, 7_200, 0.25, 28_800);
    }

    /** The assignment of every job of {@code trace}, by job id, in trace order. */
    public Map<String, Assignment> assign(Trace trace, int gpusPerNode) {
        Random random = new Random(seed);
        Map<String, Assignment> out = new LinkedHashMap<>();
        for (Trace.Job j : trace.jobs()) {
            String team = teams.get(random.nextInt(teams.size()));
            double u = random.nextDouble();
            Priority p;
            if (u < urgentShare && j.duration() <= urgentMaxSeconds && j.gpus() <= gpusPerNode) {
                p = Priority.URGENT;
            } else if (u >= 1 - backgroundShare || (j.duration() > backgroundMinSeconds && u >= 1 - 2 * backgroundShare)) {
                p = Priority.BACKGROUND;
            } else {
                p = Priority.NORMAL;
            }
            out.put(j.id(), new Assignment(team, p));
        }
        return out;
    }

    /** The rules in words, for summary.json and the report. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("note", "The trace records no teams, priorities, GPU types or budgets: these are synthetic, drawn by seeded rules.");
        m.put("seed", seed);
        m.put("teams", new ArrayList<>(teams));
        m.put("priority", "URGENT " + pct(urgentShare) + " of jobs up to " + urgentMaxSeconds + " s that fit one node; BACKGROUND "
                + pct(backgroundShare) + " of all jobs plus another " + pct(backgroundShare) + " of jobs over " + backgroundMinSeconds
                + " s; NORMAL the rest. BACKGROUND is queued with schedule=off_peak under the trainops policy.");
        return m;
    }

    private static String pct(double share) {
        return Math.round(share * 100) + "%";
    }
}
