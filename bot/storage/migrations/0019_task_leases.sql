-- Shard processes share one database: a claimed task or DM names its claimer and a lease, after which another process may take it over.
ALTER TABLE scheduled_tasks ADD COLUMN claimed_by TEXT;
ALTER TABLE scheduled_tasks ADD COLUMN lease_until INTEGER;
ALTER TABLE dm_outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE dm_outbox ADD COLUMN lease_until INTEGER;
CREATE INDEX scheduled_tasks_running_lease ON scheduled_tasks (lease_until) WHERE state = 'running';
CREATE INDEX dm_outbox_sending_lease ON dm_outbox (lease_until) WHERE state = 'sending';
-- Work a stop left in progress before leases existed: its (unknown) claimer's lease has run out.
UPDATE scheduled_tasks SET lease_until = 0 WHERE state = 'running';
UPDATE dm_outbox SET lease_until = 0 WHERE state = 'sending';
