package dev.trainops.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer's side of the model registry (issue 18 item 5; docs/queue.md, "Job templates"): every
 * Job tells its training script where to log (MLflow's URI, experiment and run name, the run name
 * being the one register_model and get_model_lineage match jobs by) and where to write its model, on
 * the team's own volume; a template that would lose the model or mix teams' models is refused at start.
 */
class TrainerEnvironmentTest {
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    static final String WITH_ARTIFACTS = JobTemplatesTest.DEFAULT + "    artifact_dir: \"/checkpoints/models/{{run_name}}\"\n";

    @TempDir
    Path dir;

    Path file(String yaml) throws Exception {
        Path f = dir.resolve("jobs.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    JobTemplates templates(String yaml) throws Exception {
        return JobTemplates.load(file(yaml)).withMlflowTrackingUri(URI.create("http://mlflow.mlflow.svc:5000"));
    }

    static QueuedJob admitted(String team, String runName, int gpus, String nodes) {
        JobSpec spec = new JobSpec(team, runName, "resnet", "vision", Priority.NORMAL, 1000, "H100", gpus, 3, 64, Map.of(), false, null,
                null, 0, 3600, null, null, null);
        return QueuedJob.submitted("tj-000000000007", spec, NOW.minusSeconds(60)).admittedTo(nodes, NOW);
    }

    static Map<String, String> env(Job job) {
        Container train = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        return train.getEnv().stream().filter(e -> e.getValue() != null).collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }

    @Test
    void everyJobTellsItsTrainerTheTrackingServerExperimentRunNameTeamAndModelDir() throws Exception {
        QueuedJob queued = admitted("team-a", "resnet-bs64", 2, "h100-a");
        Job job = new JobManifest(PriorityConfig.defaults(), templates(WITH_ARTIFACTS)).build(queued, "nvidia.com/gpu", NOW);

        assertThat(env(job)).containsEntry("MLFLOW_TRACKING_URI", "http://mlflow.mlflow.svc:5000")
                .containsEntry("MLFLOW_EXPERIMENT_NAME", "vision")
                // the name register_model's run_id accepts and lineage finds the job by (QueueStore.byRunName)
                .containsEntry("MLFLOW_RUN_NAME", queued.runName()).containsEntry("MLFLOW_RUN_NAME", "resnet-bs64")
                .containsEntry("TRAINOPS_TEAM", "team-a")
                .containsEntry("TRAINOPS_MODEL_ARTIFACT_DIR", "/checkpoints/models/resnet-bs64");
    }

    @Test
    void theModelDirIsOnTheTeamsOwnClaimInTheTeamsNamespace() throws Exception {
        JobManifest manifest = new JobManifest(PriorityConfig.defaults(), templates(WITH_ARTIFACTS));
        for (String team : new String[] {"team-a", "team-b"}) {
            Job job = manifest.build(admitted(team, "same-name", 1, "h100-a"), "nvidia.com/gpu", NOW);

            assertThat(job.getMetadata().getNamespace()).isEqualTo(team);
            var pod = job.getSpec().getTemplate().getSpec();
            // a PersistentVolumeClaim is namespaced: the claim of this name is the team's own
            assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals(JobTemplate.CHECKPOINT_VOLUME)).singleElement()
                    .satisfies(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("trainops-checkpoints"));
            assertThat(pod.getContainers().get(0).getVolumeMounts()).anySatisfy(m -> {
                assertThat(m.getName()).isEqualTo(JobTemplate.CHECKPOINT_VOLUME);
                assertThat(env(job).get("TRAINOPS_MODEL_ARTIFACT_DIR")).startsWith(m.getMountPath() + "/");
            });
        }
    }

    @Test
    void aSharedVolumeKeepsEachTeamsModelsApartByTeam() throws Exception {
        String yaml = JobTemplatesTest.DEFAULT + """
                    volumes: [{name: models, nfs: {server: nfs.example, path: /exports/models}}]
                    volumeMounts: [{name: models, mountPath: /models}]
                    artifact_dir: "/models/{{team}}/{{run_name}}"
                """;
        JobManifest manifest = new JobManifest(PriorityConfig.defaults(), templates(yaml));

        assertThat(env(manifest.build(admitted("team-a", "r1", 1, "h100-a"), "nvidia.com/gpu", NOW)))
                .containsEntry("TRAINOPS_MODEL_ARTIFACT_DIR", "/models/team-a/r1");
        assertThat(env(manifest.build(admitted("team-b", "r1", 1, "h100-a"), "nvidia.com/gpu", NOW)))
                .containsEntry("TRAINOPS_MODEL_ARTIFACT_DIR", "/models/team-b/r1");
    }

    @Test
    void everyPodOfAMultiNodeJobGetsTheSameTrainerEnv() throws Exception {
        JobManifest manifest = new JobManifest(PriorityConfig.defaults(), templates(WITH_ARTIFACTS));
        Job one = manifest.build(admitted("team-a", "big", 8, "h100-a"), "nvidia.com/gpu", NOW);
        Job multi = manifest.build(admitted("team-a", "big", 16, "h100-a,h100-b"), "nvidia.com/gpu", NOW);

        // an Indexed Job has one pod template: what it holds, each of its pods gets
        assertThat(multi.getSpec().getCompletionMode()).isEqualTo("Indexed");
        assertThat(env(multi)).containsAllEntriesOf(env(one)).containsEntry("MLFLOW_RUN_NAME", "big")
                .containsEntry("TRAINOPS_MODEL_ARTIFACT_DIR", "/checkpoints/models/big");
    }

    @Test
    void withoutATrackingUriTheJobGetsNoneAndTheRestStays() throws Exception {
        Job job = new JobManifest(PriorityConfig.defaults(), JobTemplates.load(file(WITH_ARTIFACTS)))
                .build(admitted("team-a", "r1", 1, "h100-a"), "nvidia.com/gpu", NOW);

        assertThat(env(job)).doesNotContainKey("MLFLOW_TRACKING_URI").containsKeys("MLFLOW_EXPERIMENT_NAME", "MLFLOW_RUN_NAME",
                "TRAINOPS_MODEL_ARTIFACT_DIR");
    }

    void fails(String yaml, String message) throws Exception {
        Path f = file(yaml);
        assertThatThrownBy(() -> JobTemplates.load(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(f + ": ").hasMessageContaining(message);
    }

    @Test
    void aModelDirThatIsNotAnAbsolutePathIsRefused() throws Exception {
        fails(JobTemplatesTest.DEFAULT + "    artifact_dir: \"models/{{run_name}}\"\n",
                "templates.default.artifact_dir must be an absolute path on a mounted volume, e.g. /checkpoints/models/{{run_name}}");
    }

    @Test
    void aModelDirOffEveryVolumeIsRefusedBecauseTheModelWouldBeLostWithThePod() throws Exception {
        fails(JobTemplatesTest.DEFAULT + "    artifact_dir: \"/tmp/models/{{run_name}}\"\n",
                "templates.default.artifact_dir must lie under a mounted volume (checkpoint.mount_path /checkpoints, or a volumeMounts "
                        + "mountPath), or the model is lost with the pod");
        // a model that turns its checkpoint volume off but inherits default's artifact_dir
        fails(WITH_ARTIFACTS + "  llm:\n    checkpoint: null\n",
                "templates.default.artifact_dir must lie under a mounted volume (checkpoint.mount_path, or a volumeMounts mountPath), or the "
                        + "model is lost with the pod, e.g. /models/{{run_name}} with a volume mounted at /models (in template 'llm', which inherits it)");
    }

    @Test
    void aModelDirOnAnEmptyDirIsRefused() throws Exception {
        fails(JobTemplatesTest.DEFAULT + """
                    volumes: [{name: scratch, emptyDir: {}}]
                    volumeMounts: [{name: scratch, mountPath: /scratch}]
                    artifact_dir: "/scratch/{{run_name}}"
                """, "templates.default.artifact_dir lies on volume 'scratch', an emptyDir, which is deleted with the pod");
    }

    @Test
    void aModelDirMustBeOneDirectoryPerRun() throws Exception {
        fails(JobTemplatesTest.DEFAULT + "    artifact_dir: /checkpoints/models/latest\n",
                "templates.default.artifact_dir must contain {{run_name}} (or {{job_id}}) so that each run writes its own model");
        // the checkpoint dir is one per job already
        JobTemplates t = JobTemplates.load(file(JobTemplatesTest.DEFAULT + "    artifact_dir: \"{{ checkpoint_dir }}/model\"\n"));
        assertThat(env(new JobManifest(PriorityConfig.defaults(), t).build(admitted("team-a", "r1", 1, "h100-a"), "nvidia.com/gpu", NOW)))
                .containsEntry("TRAINOPS_MODEL_ARTIFACT_DIR", "/checkpoints/tj-000000000007/model");
    }

    @Test
    void aModelDirOnAVolumeTeamsMayShareMustNameTheTeam() throws Exception {
        fails(JobTemplatesTest.DEFAULT + """
                    volumes: [{name: models, nfs: {server: nfs.example, path: /exports/models}}]
                    volumeMounts: [{name: models, mountPath: /models}]
                    artifact_dir: "/models/{{run_name}}"
                """, "templates.default.artifact_dir lies on volume 'models', which is not a PersistentVolumeClaim in the team's namespace "
                + "and may be shared by teams: add {{team}}, e.g. /models/{{team}}/{{run_name}}");
    }
}
