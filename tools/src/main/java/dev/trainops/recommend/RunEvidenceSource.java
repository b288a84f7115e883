package dev.trainops.recommend;

import dev.trainops.catalog.Nullable;
import java.time.Instant;
import java.util.List;

/** Where the recommender reads runs: MLflow, or the sandbox's embedded run store. */
public interface RunEvidenceSource {

    /**
     * The run with this id, else the most recent run with this run name, with the other runs of
     * its model in its experiment (its siblings, at most {@code maxSiblings}).
     */
    Lookup lookup(String runIdOrName, int maxSiblings);

    /** Short name shown in answers ("mlflow", "sandbox"). */
    String name();

    /**
     * What was found: {@code run} is null when nothing matched. {@code asOf} is when the oldest piece
     * was read from the source; {@code stale} says a refresh failed and an older copy was served.
     */
    record Lookup(@Nullable RunEvidence run, List<RunEvidence> siblings, @Nullable Instant asOf, boolean stale) {
        public Lookup {
            siblings = List.copyOf(siblings);
        }
    }
}
