package dev.trainops.events;

import dev.trainops.catalog.Json;
import dev.trainops.monitor.TeamWarning;
import dev.trainops.queue.JobEvent;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * An event as the text of an {@code event_log} row: the wire's JSON (snake_case, ISO-8601 instants).
 * A reader ignores fields it does not know, so a replica one version behind during a rolling upgrade
 * still reads what a newer one wrote.
 */
final class EventCodec {
    static final String JOB = "job";
    static final String WARNING = "warning";
    private static final JsonMapper READER = Json.MAPPER.rebuild().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private EventCodec() {
    }

    static String write(JobEvent event) {
        return Json.write(event);
    }

    static String write(TeamWarning warning) {
        return Json.write(warning);
    }

    static JobEvent job(String payload) {
        return READER.readValue(payload, JobEvent.class);
    }

    static TeamWarning warning(String payload) {
        return READER.readValue(payload, TeamWarning.class);
    }
}
