-- reason: safety: blocks between members, reports to a moderation channel with what moderators did, the first-meetup note
ALTER TABLE guild_settings ADD COLUMN moderator_role_id INTEGER;

-- guild_channels gains the moderation purpose; a CHECK cannot be altered, so the table is rebuilt.
CREATE TABLE guild_channels_rebuilt (
    guild_id   INTEGER NOT NULL,
    purpose    TEXT    NOT NULL
                       CHECK (purpose IN ('introductions', 'meetups', 'pairing', 'support', 'moderation')),
    channel_id INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, purpose)
) STRICT;

INSERT INTO guild_channels_rebuilt (guild_id, purpose, channel_id, updated_at)
SELECT guild_id, purpose, channel_id, updated_at FROM guild_channels;

DROP TABLE guild_channels;

ALTER TABLE guild_channels_rebuilt RENAME TO guild_channels;

-- One row per block, as the member who blocked made it; in effect both ways, never shown to the other.
CREATE TABLE member_blocks (
    guild_id          INTEGER NOT NULL,
    member_id         INTEGER NOT NULL,
    blocked_member_id INTEGER NOT NULL,
    blocked_at        INTEGER NOT NULL,
    PRIMARY KEY (guild_id, member_id, blocked_member_id),
    CHECK (member_id <> blocked_member_id)
) STRICT;

CREATE INDEX member_blocks_blocked ON member_blocks (guild_id, blocked_member_id);

-- A report as posted in the moderation channel; context is the shared history the bot knew then
-- (pairing rounds and meetups as numbers and dates, never another member's id).
CREATE TABLE reports (
    id                 INTEGER PRIMARY KEY,
    guild_id           INTEGER NOT NULL,
    number             INTEGER NOT NULL,
    reporter_member_id INTEGER NOT NULL,
    reported_member_id INTEGER NOT NULL,
    meetup_id          INTEGER REFERENCES meetups (id) ON DELETE SET NULL,
    reason             TEXT    NOT NULL,
    context            TEXT    NOT NULL DEFAULT '[]',
    channel_id         INTEGER,
    message_id         INTEGER,
    created_at         INTEGER NOT NULL,
    UNIQUE (guild_id, number)
) STRICT;

CREATE INDEX reports_reported ON reports (guild_id, reported_member_id);

-- What moderators did about a report, each undoable: a pause from meetups (until), a removal from
-- pairing (rejoin: they had joined, so undoing puts them back), a dismissal.
CREATE TABLE report_actions (
    id                  INTEGER PRIMARY KEY,
    guild_id            INTEGER NOT NULL,
    report_id           INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    member_id           INTEGER NOT NULL,
    kind                TEXT    NOT NULL CHECK (kind IN ('pause', 'unpair', 'dismiss')),
    moderator_member_id INTEGER NOT NULL,
    taken_at            INTEGER NOT NULL,
    until               INTEGER,
    rejoin              INTEGER NOT NULL DEFAULT 0 CHECK (rejoin IN (0, 1)),
    undone_at           INTEGER,
    undone_by_member_id INTEGER
) STRICT;

CREATE INDEX report_actions_report ON report_actions (report_id);
CREATE INDEX report_actions_active ON report_actions (guild_id, member_id) WHERE undone_at IS NULL;

-- Members who were given the first-meetup note (once per server).
CREATE TABLE first_meetup_notes (
    guild_id  INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    noted_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, member_id)
) STRICT;
