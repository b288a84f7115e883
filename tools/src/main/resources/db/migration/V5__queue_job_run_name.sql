-- recommend_cost_optimization finds the queue job behind an MLflow run by its run name.
CREATE INDEX queue_job_run_name ON queue_job (run_name, submitted_ms);
