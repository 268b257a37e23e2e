-- Pairing rounds: who joined, each round's groups with their private threads, and who met.
CREATE TABLE pairing_members (
    guild_id  INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    joined_at INTEGER NOT NULL,
    skip_next INTEGER NOT NULL DEFAULT 0 CHECK (skip_next IN (0, 1)),
    PRIMARY KEY (guild_id, member_id)
) STRICT;

CREATE TABLE pairing_rounds (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    number          INTEGER NOT NULL,
    size            INTEGER NOT NULL CHECK (size BETWEEN 2 AND 4),
    started_at      INTEGER NOT NULL,
    halfway_at      INTEGER NOT NULL,
    ends_at         INTEGER NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'ended')),
    task_id         INTEGER UNIQUE,
    announcement_id INTEGER,
    UNIQUE (guild_id, number)
) STRICT;

CREATE INDEX pairing_rounds_open ON pairing_rounds (guild_id) WHERE state = 'open';

CREATE TABLE pairing_groups (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    round_id    INTEGER NOT NULL REFERENCES pairing_rounds (id) ON DELETE CASCADE,
    shared      TEXT    NOT NULL DEFAULT '',
    thread_id   INTEGER,
    greeting_id INTEGER,
    checkin_id  INTEGER,
    ask_id      INTEGER
) STRICT;

CREATE INDEX pairing_groups_round ON pairing_groups (round_id);

CREATE TABLE pairing_group_members (
    guild_id    INTEGER NOT NULL,
    group_id    INTEGER NOT NULL REFERENCES pairing_groups (id) ON DELETE CASCADE,
    member_id   INTEGER NOT NULL,
    answer      TEXT    CHECK (answer IN ('in_person', 'online', 'not_yet')),
    answered_at INTEGER,
    PRIMARY KEY (group_id, member_id)
) STRICT;

CREATE INDEX pairing_group_members_member ON pairing_group_members (guild_id, member_id);

-- Members who joined a round but could not be placed, and why (told once, in the round's announcement).
CREATE TABLE pairing_left_out (
    guild_id  INTEGER NOT NULL,
    round_id  INTEGER NOT NULL REFERENCES pairing_rounds (id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL,
    reason    TEXT    NOT NULL CHECK (reason IN ('alone', 'all_recent', 'no_room')),
    PRIMARY KEY (round_id, member_id)
) STRICT;
