-- The MLflow run a slice's job logs to (the pod's trainops.dev/run-name label), so reports can
-- join billed cost to what the run achieved (cost per accuracy point, DESIGN.md cost rule 8).
ALTER TABLE usage_slice ADD COLUMN run_name VARCHAR(128);
