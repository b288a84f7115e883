package dev.trainops.mlflow;

/** MLflow answered with an error, or did not answer. Carries MLflow's error code and the HTTP status. */
public final class MlflowException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String errorCode;

    public MlflowException(int status, String errorCode, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    /** The HTTP status, or 0 when MLflow could not be reached. */
    public int status() {
        return status;
    }

    /** MLflow's {@code error_code} (RESOURCE_DOES_NOT_EXIST, ...), or null. */
    public String errorCode() {
        return errorCode;
    }

    public boolean notFound() {
        return status == 404 || "RESOURCE_DOES_NOT_EXIST".equals(errorCode);
    }

    /** MLflow answered, and the answer is about this request (no such run, a bad filter), not about MLflow's health. */
    public boolean aboutTheRequest() {
        return notFound() || status == 400;
    }

    public boolean unreachable() {
        return status == 0 || status >= 500 || status == 429;
    }
}
