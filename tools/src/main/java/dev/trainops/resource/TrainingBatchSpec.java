package dev.trainops.resource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * The batch manifest: training configs, each with the fields of a {@link TrainingJobSpec}, and {@code parallel}.
 * The team is the object's namespace.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingBatchSpec {
    @Required
    @Size(min = 1, max = 100)
    @JsonPropertyDescription("The jobs, 1 to 100, each with a TrainingJob's spec fields.")
    private List<TrainingJobSpec> jobs;
    @JsonPropertyDescription("true: each job is admitted on its own; false (default): one after another.")
    private Boolean parallel;
    @JsonPropertyDescription("The team; if given it must equal the object's namespace.")
    private String team;

    public List<TrainingJobSpec> getJobs() {
        return jobs;
    }

    public void setJobs(List<TrainingJobSpec> jobs) {
        this.jobs = jobs;
    }

    public Boolean getParallel() {
        return parallel;
    }

    public void setParallel(Boolean parallel) {
        this.parallel = parallel;
    }

    public String getTeam() {
        return team;
    }

    public void setTeam(String team) {
        this.team = team;
    }
}
