package dev.trainops.queue;

import dev.trainops.access.Principal;
import dev.trainops.access.Role;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.Json;
import dev.trainops.catalog.ToolException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Identity rules 1 and 4 in the queue (DESIGN.md, "Identity and tenancy"): the teams and jobs a
 * principal may name, and what it may read of a job's reason. The queue is shared, so a waiting
 * job's position and ETA count every team's jobs; but its words never name another team's job:
 * such a job is counted ("a job of another team"), not named.
 */
final class TeamScope {
    private static final Pattern JOB_ID = Pattern.compile("\\btj-[0-9a-z]+");
    private static final char HIDDEN = '\u0001';
    private static final Pattern HIDDEN_RUN = Pattern.compile(HIDDEN + "(, " + HIDDEN + ")*");

    private TeamScope() {
    }

    /**
     * {@code value} as a team {@code principal} may name, else NOT_FOUND: a team that does not exist
     * and one of another team's are the same answer, whose hint lists only the principal's teams.
     */
    static String knownTeam(String value, String argument, Set<String> known, Principal principal) {
        String t = value == null ? "" : value.trim();
        if (!known.contains(t) || !principal.sees(t)) {
            List<String> mine = known.stream().filter(principal::sees).toList();
            throw new ToolException(ErrorCode.NOT_FOUND, "Unknown team '" + Json.shorten(t) + "'.", (principal.isAdmin() ? "Teams" : "Your teams")
                    + " with a quota or budget: " + (mine.isEmpty() ? "none" : String.join(", ", mine)) + ".",
                    false, Map.of("argument", argument));
        }
        return t;
    }

    /** The NOT_FOUND of a job id that names no job, or another team's. */
    static ToolException noJob(String jobId, String hint) {
        return new ToolException(ErrorCode.NOT_FOUND, "No job " + jobId + ".", hint, false, Map.of("argument", "job_id"));
    }

    /**
     * {@code text} (a job's reason detail) as {@code principal} may read it: every job it names
     * other than {@code self} whose team the principal does not see (or that {@code jobs} does not
     * know) loses its id and run name; a list of them becomes their count. An admin reads it as it is.
     */
    static String readable(String text, String self, Principal principal, Function<String, Optional<QueuedJob>> jobs) {
        if (text == null || principal.isAdmin()) {
            return text;
        }
        Set<String> ids = new LinkedHashSet<>();
        Matcher m = JOB_ID.matcher(text);
        while (m.find()) {
            if (!m.group().equals(self)) {
                ids.add(m.group());
            }
        }
        String out = text;
        for (String id : ids) {
            Optional<QueuedJob> job = jobs.apply(id);
            if (job.isPresent() && principal.sees(job.get().team())) {
                continue;
            }
            if (job.isPresent()) {
                out = out.replace(id + " (" + job.get().runName() + ")", String.valueOf(HIDDEN));
            }
            out = out.replaceAll("\\b" + Pattern.quote(id) + "\\b", String.valueOf(HIDDEN));
        }
        if (out.indexOf(HIDDEN) < 0) {
            return out;
        }
        out = out.replace("URGENT job " + HIDDEN, "an URGENT job of another team");
        Matcher runs = HIDDEN_RUN.matcher(out);
        StringBuilder sb = new StringBuilder();
        while (runs.find()) {
            int n = (int) runs.group().chars().filter(c -> c == HIDDEN).count();
            runs.appendReplacement(sb, n == 1 ? "a job of another team" : n + " jobs of other teams");
        }
        runs.appendTail(sb);
        return sb.toString();
    }

    /** Whoever reads as a member of {@code team} only: what a job's events may say, since they go to its team's sessions. */
    static Principal readerOf(String team) {
        return new Principal("team " + team, Set.of(team), Role.VIEWER);
    }

    /** The preemptor's id if {@code principal} sees its team, else null. */
    static String preemptedBy(QueuedJob j, Principal principal, Function<String, Optional<QueuedJob>> jobs) {
        if (j.preemptedBy() == null || principal.isAdmin()) {
            return j.preemptedBy();
        }
        return jobs.apply(j.preemptedBy()).filter(by -> principal.sees(by.team())).map(QueuedJob::jobId).orElse(null);
    }

    /** A lookup of jobs by id for one answer: {@code known} first, then the store, each id read once. */
    static Function<String, Optional<QueuedJob>> lookup(QueueStore queue, List<QueuedJob> known) {
        Map<String, Optional<QueuedJob>> seen = new HashMap<>();
        known.forEach(j -> seen.put(j.jobId(), Optional.of(j)));
        return id -> seen.computeIfAbsent(id, x -> queue.read(c -> queue.find(c, x)));
    }

    /** The jobs of {@code all} that {@code principal} sees. */
    static List<QueuedJob> visible(List<QueuedJob> all, Principal principal) {
        List<QueuedJob> out = new ArrayList<>();
        for (QueuedJob j : all) {
            if (principal.sees(j.team())) {
                out.add(j);
            }
        }
        return out;
    }
}
