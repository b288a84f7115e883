package dev.trainops.access;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Which team owns each MLflow experiment ({@code config/teams.yaml}), and so who owns a run
 * (DESIGN.md, "Identity and tenancy", rule 6): the team in the run's {@code team} tag, else its
 * {@code team} param, else the team its experiment maps to here; else no team (admins only).
 */
public final class ExperimentTeams {
    /** The file's name in the configuration directory. */
    public static final String FILE = "teams.yaml";
    /** The tag or param that names a run's team. */
    public static final String TEAM_KEY = "team";
    /** Nothing mapped: a run belongs to the team its tag or param names, else to none. */
    public static final ExperimentTeams NONE = new ExperimentTeams(Map.of());

    private static final Pattern TEAM = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");

    private final Map<String, String> byExperiment;

    public ExperimentTeams(Map<String, String> byExperiment) {
        this.byExperiment = Map.copyOf(byExperiment);
    }

    /**
     * Reads {@code teams.yaml}: {@code experiments: {EXPERIMENT: TEAM}}. An error names the file,
     * the key and the fix.
     */
    public static ExperimentTeams load(Path file) throws IOException {
        JsonNode root = YAMLMapper.builder().build().readTree(Files.readString(file));
        if (root == null || root.isMissingNode() || root.isNull()) {
            return NONE;
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException(file + ": must be a mapping with the key 'experiments'");
        }
        for (var e : root.properties()) {
            if (!e.getKey().equals("experiments")) {
                throw new IllegalArgumentException(file + ": unknown key '" + e.getKey() + "'; the only key is 'experiments'");
            }
        }
        JsonNode experiments = root.path("experiments");
        if (experiments.isMissingNode() || experiments.isNull()) {
            return NONE;
        }
        if (!experiments.isObject()) {
            throw new IllegalArgumentException(file + ": experiments must map each experiment's name to its team, "
                    + "such as 'llm: team-a'");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : experiments.properties()) {
            JsonNode team = e.getValue();
            if (team == null || !team.isString() || !TEAM.matcher(team.asString()).matches()) {
                throw new IllegalArgumentException(file + ": experiments." + e.getKey()
                        + " must be a team name (a lowercase DNS label such as team-a), was '" + (team == null ? "" : team.asString("")) + "'");
            }
            out.put(e.getKey(), team.asString());
        }
        return new ExperimentTeams(out);
    }

    /** The team {@code experiment} maps to, or null. */
    public String teamOf(String experiment) {
        return experiment == null ? null : byExperiment.get(experiment);
    }

    /**
     * The team that owns a run: its {@code team} tag, else its {@code team} param, else the team
     * the first of {@code experiments} (its name, its id) that is mapped maps to; null when none.
     */
    public String ownerOf(Map<String, String> tags, Map<String, String> params, String... experiments) {
        String tagged = tags == null ? null : tags.get(TEAM_KEY);
        if (tagged != null && !tagged.isBlank()) {
            return tagged.trim();
        }
        String param = params == null ? null : params.get(TEAM_KEY);
        if (param != null && !param.isBlank()) {
            return param.trim();
        }
        for (String e : experiments) {
            String team = teamOf(e);
            if (team != null) {
                return team;
            }
        }
        return null;
    }

    /** The experiments mapped, with their teams. */
    public Map<String, String> experiments() {
        return byExperiment;
    }
}
