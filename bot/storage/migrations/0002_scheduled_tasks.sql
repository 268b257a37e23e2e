-- Everything timed (reminders, poll closings, follow-ups, rounds) is a row here; scheduler jobs derive from it.
CREATE TABLE scheduled_tasks (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    subject_id  INTEGER,
    payload     TEXT    NOT NULL DEFAULT '{}',
    due_at      INTEGER NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'pending'
                        CHECK (state IN ('pending', 'running', 'done', 'failed', 'dropped', 'cancelled')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  INTEGER NOT NULL,
    finished_at INTEGER
) STRICT;

CREATE INDEX scheduled_tasks_pending_due ON scheduled_tasks (due_at) WHERE state = 'pending';
CREATE INDEX scheduled_tasks_subject ON scheduled_tasks (guild_id, kind, subject_id);
