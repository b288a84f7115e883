package dev.trainops.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.resource.TrainingBatch;
import dev.trainops.resource.TrainingJobSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * deploy/examples/trainingbatch.yaml, the README's TrainingBatch: a TrainingBatch model with no unknown field, valid
 * for the CRD's schema as the API server would check it, three jobs in team-a run one after another.
 */
class TrainingBatchExampleTest {
    static final Path EXAMPLE = Manifests.deploy().resolve("examples/trainingbatch.yaml");
    static final Path CRD = Manifests.deploy().resolve("crds/trainingbatches.trainops.dev-v1.yml");

    @Test
    void theExampleIsASequentialTrainingBatchOfThreeInTeamAThatTheCrdAccepts() throws Exception {
        String yaml = Files.readString(EXAMPLE);
        assertThat(Manifests.object(yaml)).isInstanceOfSatisfying(TrainingBatch.class, b -> {
            assertThat(UnknownFields.of(b)).isEmpty();
            assertThat(b.getMetadata().getNamespace()).isEqualTo("team-a");
            assertThat(b.getSpec().getParallel()).isFalse();
            assertThat(b.getSpec().getJobs()).hasSize(3).allSatisfy(j -> assertThat(j.getTeam()).as("the team is the namespace").isNull())
                    .extracting(TrainingJobSpec::getRunName).doesNotHaveDuplicates();
        });
        assertThat(CrdSchema.load(CRD, "v1alpha1").violations(new YAMLMapper().readTree(yaml))).isEmpty();
    }
}
