-- When a queue job's state (or a waiting job's reason) last changed: its status's transition time,
-- apart from updated_ms, which moves on every write. Existing rows take their last write time.
ALTER TABLE queue_job ADD COLUMN transitioned_ms BIGINT;
UPDATE queue_job SET transitioned_ms = updated_ms;
