-- Meetups with RSVPs and waitlist, and the polls members answer by reacting that lead to them.
CREATE TABLE polls (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    number        INTEGER NOT NULL,
    channel_id    INTEGER NOT NULL,
    message_id    INTEGER,
    organiser_id  INTEGER NOT NULL,
    title         TEXT    NOT NULL,
    tz            TEXT    NOT NULL,
    closes_at     INTEGER NOT NULL,
    closes_text   TEXT    NOT NULL DEFAULT '',
    capacity      INTEGER CHECK (capacity IS NULL OR capacity BETWEEN 1 AND 1000),
    min_attendees INTEGER CHECK (min_attendees IS NULL OR min_attendees BETWEEN 1 AND 1000),
    state         TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed', 'cancelled')),
    outcome       TEXT,
    winner_time   INTEGER,
    winner_place  INTEGER,
    meetup_id     INTEGER,
    created_at    INTEGER NOT NULL,
    closed_at     INTEGER,
    UNIQUE (guild_id, number)
) STRICT;

CREATE UNIQUE INDEX polls_message ON polls (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX polls_open ON polls (state) WHERE state = 'open';

CREATE TABLE poll_options (
    guild_id  INTEGER NOT NULL,
    poll_id   INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    kind      TEXT    NOT NULL CHECK (kind IN ('time', 'place')),
    position  INTEGER NOT NULL CHECK (position BETWEEN 0 AND 9),
    label     TEXT    NOT NULL,
    starts_at INTEGER,
    PRIMARY KEY (poll_id, kind, position)
) STRICT;

-- One row per member and option: the primary key makes votes exact and re-adding idempotent.
CREATE TABLE poll_votes (
    guild_id  INTEGER NOT NULL,
    poll_id   INTEGER NOT NULL,
    kind      TEXT    NOT NULL,
    position  INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    PRIMARY KEY (poll_id, kind, position, member_id),
    FOREIGN KEY (poll_id, kind, position) REFERENCES poll_options (poll_id, kind, position) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE INDEX poll_votes_member ON poll_votes (guild_id, member_id);

CREATE TABLE meetups (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    number        INTEGER NOT NULL,
    title         TEXT    NOT NULL,
    description   TEXT,
    starts_at     INTEGER NOT NULL,
    ends_at       INTEGER NOT NULL,
    tz            TEXT    NOT NULL,
    when_text     TEXT    NOT NULL,
    place         TEXT    NOT NULL,
    latitude      REAL,
    longitude     REAL,
    capacity      INTEGER CHECK (capacity IS NULL OR capacity BETWEEN 1 AND 1000),
    min_attendees INTEGER CHECK (min_attendees IS NULL OR min_attendees BETWEEN 1 AND 1000),
    organiser_id  INTEGER NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'cancelled')),
    cancel_reason TEXT,
    poll_id       INTEGER REFERENCES polls (id),
    channel_id    INTEGER,
    message_id    INTEGER,
    thread_id     INTEGER,
    event_id      INTEGER,
    revision      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (guild_id, number)
) STRICT;

CREATE INDEX meetups_upcoming ON meetups (guild_id, starts_at) WHERE state = 'scheduled';

-- going/maybe/no, or waitlist ordered by position (first in, first promoted).
CREATE TABLE meetup_rsvps (
    guild_id   INTEGER NOT NULL,
    meetup_id  INTEGER NOT NULL REFERENCES meetups (id) ON DELETE CASCADE,
    member_id  INTEGER NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('going', 'maybe', 'no', 'waitlist')),
    position   INTEGER,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (meetup_id, member_id),
    CHECK ((status = 'waitlist') = (position IS NOT NULL))
) STRICT;

CREATE INDEX meetup_rsvps_member ON meetup_rsvps (guild_id, member_id);
