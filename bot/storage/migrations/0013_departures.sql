-- reason: members who left and servers that removed the bot, so their data is deleted after the retention period unless they come back
ALTER TABLE guild_settings ADD COLUMN retention INTEGER NOT NULL DEFAULT 2592000;

-- One row per member who left a server and has not come back: hidden from /match, /ask and
-- pairing at once; their data is forgotten when the purge task (task_id) runs.
CREATE TABLE member_departures (
    id        INTEGER PRIMARY KEY,
    guild_id  INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    left_at   INTEGER NOT NULL,
    purge_at  INTEGER NOT NULL,
    task_id   INTEGER,
    UNIQUE (guild_id, member_id)
) STRICT;

-- One row per server that removed the bot: its timed work drops, and everything stored for it
-- is deleted when the purge task runs, unless the bot is added back first.
CREATE TABLE guild_departures (
    guild_id INTEGER PRIMARY KEY,
    left_at  INTEGER NOT NULL,
    purge_at INTEGER NOT NULL,
    task_id  INTEGER
) STRICT;
