-- Reminders and follow-ups: a paced DM outbox and what has happened around each meetup.
CREATE TABLE dm_outbox (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    -- What the DM is for (e.g. reminder:<task>:<member>): the same DM is never queued twice.
    dedup_key  TEXT    NOT NULL UNIQUE,
    payload    TEXT    NOT NULL,
    state      TEXT    NOT NULL DEFAULT 'pending'
                       CHECK (state IN ('pending', 'sending', 'sent', 'closed', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    sent_at    INTEGER
) STRICT;

CREATE INDEX dm_outbox_due ON dm_outbox (next_at, id) WHERE state = 'pending';
CREATE INDEX dm_outbox_member ON dm_outbox (guild_id, member_id);

-- One row per announced meetup once its timed follow-ups are scheduled.
CREATE TABLE meetup_followups (
    meetup_id            INTEGER PRIMARY KEY REFERENCES meetups (id) ON DELETE CASCADE,
    guild_id             INTEGER NOT NULL,
    scheduled_at         INTEGER NOT NULL,
    headcount_checked_at INTEGER,
    headcount_decision   TEXT CHECK (headcount_decision IN ('keep', 'cancel')),
    whocame_channel_id   INTEGER,
    whocame_message_id   INTEGER
) STRICT;
