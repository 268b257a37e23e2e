-- reason: start-up lists the servers with pending work in one index seek per server (10,000 servers with a million pending tasks took 5 s as a scan)
CREATE INDEX scheduled_tasks_pending_guild ON scheduled_tasks (guild_id) WHERE state = 'pending';
