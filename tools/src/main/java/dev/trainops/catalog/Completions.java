package dev.trainops.catalog;

import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The values a client may offer while the user types a prompt argument or a resource-template
 * variable (MCP {@code completion/complete}), chosen by the argument's name: teams, models, run
 * names and job ids, months (docs/tools.md, "Completions"). Each kind reads its values from the
 * domain when asked, in the order its source gives (newest first where there is one); the answer
 * keeps those that start with what was typed, ignoring case, at most {@value #MAX_VALUES}, with
 * how many matched. A source that cannot answer (the store still opening) completes nothing: a
 * completion is a convenience and never fails the request.
 */
public final class Completions {
    /** The most values one answer carries (the MCP spec's limit). */
    public static final int MAX_VALUES = 100;
    private static final Logger log = LoggerFactory.getLogger(Completions.class);

    /** What an argument names, by the names the prompts and resource templates use. */
    public enum Kind {
        TEAM("team"), MODEL("model"), RUN("run_id"), JOB_ID("job_id"), MONTH("month");

        private final String argument;

        Kind(String argument) {
            this.argument = argument;
        }

        /** The prompt argument or template variable this kind completes. */
        public String argument() {
            return argument;
        }

        /** The kind of {@code argument}; empty for an argument nothing completes (epochs, budget). */
        public static Optional<Kind> of(String argument) {
            for (Kind k : values()) {
                if (k.argument.equals(argument)) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }
    }

    /** Up to {@value #MAX_VALUES} values, how many matched in all, and whether some were left out. */
    public record Answer(List<String> values, int total, boolean hasMore) {
        public static final Answer NONE = new Answer(List.of(), 0, false);

        public Answer {
            values = List.copyOf(values);
            if (values.size() > MAX_VALUES) {
                throw new IllegalArgumentException("an answer carries at most " + MAX_VALUES + " values, got " + values.size());
            }
        }
    }

    private final Map<Kind, Supplier<? extends Collection<String>>> sources;

    private Completions(Map<Kind, Supplier<? extends Collection<String>>> sources) {
        this.sources = Map.copyOf(sources);
    }

    public static Completions none() {
        return new Completions(Map.of());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether {@code argument} has values to offer. */
    public boolean completes(String argument) {
        return Kind.of(argument).map(sources::containsKey).orElse(false);
    }

    /** The values of {@code argument} that start with {@code typed} (null or empty: all). */
    public Answer complete(String argument, String typed) {
        Optional<Kind> kind = Kind.of(argument);
        if (kind.isEmpty() || !sources.containsKey(kind.get())) {
            return Answer.NONE;
        }
        Collection<String> candidates;
        try {
            candidates = sources.get(kind.get()).get();
        } catch (RuntimeException e) {
            log.debug("no completion for {}: {}", argument, e.getMessage());
            return Answer.NONE;
        }
        return matching(candidates, typed);
    }

    /** {@code candidates} (nulls and repeats dropped, order kept) that start with {@code typed}, ignoring case. */
    static Answer matching(Collection<String> candidates, String typed) {
        String prefix = typed == null ? "" : typed.toLowerCase(Locale.ROOT);
        Set<String> matched = new LinkedHashSet<>();
        for (String c : candidates) {
            if (c != null && !c.isEmpty() && c.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                matched.add(c);
            }
        }
        List<String> values = matched.stream().limit(MAX_VALUES).toList();
        return new Answer(values, matched.size(), matched.size() > values.size());
    }

    /** The months from {@code first} (or {@code now} when there is none) to {@code now}, newest first, as YYYY-MM. */
    public static List<String> months(Optional<YearMonth> first, YearMonth now) {
        List<String> out = new ArrayList<>();
        YearMonth from = first.filter(f -> f.isBefore(now)).orElse(now);
        for (YearMonth m = now; !m.isBefore(from); m = m.minusMonths(1)) {
            out.add(m.toString());
        }
        return out;
    }

    public static final class Builder {
        private final Map<Kind, Supplier<? extends Collection<String>>> sources = new EnumMap<>(Kind.class);

        private Builder() {
        }

        /** Where {@code kind}'s values come from, read at each request. */
        public Builder add(Kind kind, Supplier<? extends Collection<String>> values) {
            if (sources.putIfAbsent(kind, values) != null) {
                throw new IllegalArgumentException("completion kind " + kind + " has a source already");
            }
            return this;
        }

        public Completions build() {
            return new Completions(sources);
        }
    }
}
