package dev.trainops.queue;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The answer of submit_batch_training and get_batch_status. */
public record BatchStatus(
        String batchId,
        String name,
        String team,
        boolean parallel,
        Instant submitted,
        @JsonPropertyDescription("The items in batch order, with their job ids and states.") List<QueueAnswer> items,
        Map<JobState, Integer> counts,
        @JsonPropertyDescription("True when every item has ended.") boolean done,
        String currency,
        BigDecimal estimatedCost,
        @JsonPropertyDescription("What happens after an interruption (a server restart): which items continue, which wait, and that "
                + "nothing finished or running is submitted again.") String resume,
        List<String> warnings) {
    public BatchStatus {
        items = List.copyOf(items);
        counts = Map.copyOf(counts);
        warnings = List.copyOf(warnings);
    }
}
