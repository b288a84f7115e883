package dev.trainops.admission;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A review's outcome: allowed (with warnings kubectl shows), or denied with a code, the field it is
 * about and a message with the numbers and the cheaper options (docs/kubernetes.md, "The admission
 * webhook"). The API server shows a denial's message to whoever applied the object.
 */
record Verdict(boolean allowed, Reason reason, String field, String message, List<String> warnings) {

    /** Why an object is denied; the code is in the status's cause and in the audit log. */
    enum Reason {
        BUDGET_BLOCKED, OVER_BUDGET, OVER_MAX_COST, NO_ESTIMATE, GPU_LIMIT_MISMATCH, OVER_GPU_QUOTA, NOT_A_TEAM, INVALID
    }

    Verdict {
        warnings = List.copyOf(warnings);
    }

    static Verdict allow(List<String> warnings) {
        return new Verdict(true, null, null, null, warnings);
    }

    static Verdict deny(Reason reason, String field, String message) {
        return new Verdict(false, reason, field, message, List.of());
    }

    /** The same verdict with one more warning (denials carry none: their message says it all). */
    Verdict warn(String warning) {
        if (!allowed || warning == null) {
            return this;
        }
        List<String> more = new ArrayList<>(warnings);
        more.add(warning);
        return new Verdict(true, null, null, null, more);
    }

    AdmissionResponse toResponse() {
        AdmissionResponse r = new AdmissionResponse();
        r.setAllowed(allowed);
        if (!warnings.isEmpty()) {
            r.setWarnings(warnings);
        }
        if (!allowed) {
            r.setStatus(new StatusBuilder().withCode(403).withReason("Forbidden").withMessage(message)
                    .withNewDetails().withCauses(new StatusCauseBuilder().withReason(reason.name()).withField(field).withMessage(message).build())
                    .endDetails().build());
            r.setAuditAnnotations(Map.of("reason", reason.name()));
        }
        return r;
    }
}
