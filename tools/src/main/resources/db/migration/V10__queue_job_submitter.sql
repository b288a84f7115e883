-- Who submitted each queue job (DESIGN.md "Identity and tenancy", rule 9): the principal's subject
-- and its teams (a comma list), so the admission loop can create the job's Kubernetes Job as its
-- submitter under --kube-impersonate. Jobs queued before this migration have none (null): they are
-- created under the server's own ServiceAccount.
ALTER TABLE queue_job ADD COLUMN submitted_by VARCHAR(320);
ALTER TABLE queue_job ADD COLUMN submitted_groups VARCHAR(1000);
