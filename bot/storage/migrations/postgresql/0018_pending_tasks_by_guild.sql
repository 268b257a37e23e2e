-- reason: start-up with a million pending tasks: the servers with pending work in one index seek per server (a scan took 5 s), and the tasks a stop interrupted without scanning every task
CREATE INDEX scheduled_tasks_pending_guild ON scheduled_tasks (guild_id) WHERE state = 'pending';
CREATE INDEX scheduled_tasks_running ON scheduled_tasks (id) WHERE state = 'running';
