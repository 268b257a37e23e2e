-- DM consent by kind (on / replies / off, replies by default) and notes kept for a member's next command.
ALTER TABLE member_preferences
    ADD COLUMN dm_mode TEXT NOT NULL DEFAULT 'replies' CHECK (dm_mode IN ('on', 'replies', 'off'));

-- "off" used to mean: no reminder or nudge DMs, introductions still by DM. That is "replies" now.
UPDATE member_preferences SET dm_mode = CASE dm WHEN 1 THEN 'on' ELSE 'replies' END;

ALTER TABLE member_preferences DROP COLUMN dm;

-- What the bot could not tell a member by DM (their DMs are off or closed): shown, ephemerally,
-- after their next command in that server, then deleted.
CREATE TABLE member_notices (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    dedup_key  TEXT    NOT NULL UNIQUE,
    content    TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX member_notices_member ON member_notices (guild_id, member_id, id);
