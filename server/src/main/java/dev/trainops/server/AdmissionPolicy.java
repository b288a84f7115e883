package dev.trainops.server;

import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;

/**
 * What {@code /admission/validate} decides with: the request of an AdmissionReview in, its response
 * out (allowed or not, the status with the reason, warnings). The servlet owns the wire: it parses
 * the review, refuses a malformed one, and sets the response's {@code uid} to the request's. The
 * app implements this with the domain's reviewer (dev.trainops.admission); the server knows nothing
 * of budgets or quotas.
 */
@FunctionalInterface
public interface AdmissionPolicy {
    AdmissionResponse review(AdmissionRequest request);
}
