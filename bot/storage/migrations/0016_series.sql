-- reason: meetups that recur (series S1, S2, …), waitlist places offered instead of assigned, one nudge to the undecided, and the settings for them
CREATE TABLE meetup_series (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    number        INTEGER NOT NULL,
    title         TEXT    NOT NULL,
    description   TEXT,
    tz            TEXT    NOT NULL,
    -- What the organiser typed for the occurrence the series is anchored on (its first, or the
    -- first after an edit of its time), and that occurrence's local wall time: 'YYYY-MM-DDTHH:MM'.
    when_text     TEXT    NOT NULL,
    anchor        TEXT    NOT NULL,
    -- The repeat rule in its canonical words ('weekly', 'every 2 weeks', 'monthly on the last thursday').
    rule          TEXT    NOT NULL,
    -- The last local date an occurrence may fall on; NULL: until the series is ended.
    until_date    TEXT,
    place         TEXT    NOT NULL,
    capacity      INTEGER CHECK (capacity IS NULL OR capacity BETWEEN 1 AND 1000),
    min_attendees INTEGER CHECK (min_attendees IS NULL OR min_attendees BETWEEN 1 AND 1000),
    organiser_id  INTEGER NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'ended')),
    revision      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (guild_id, number)
) STRICT;

CREATE INDEX meetup_series_active ON meetup_series (guild_id) WHERE state = 'active';

-- One row per occurrence a series has dealt with, keyed by its local date (a series meets at most
-- once a day): posted as a meetup, skipped (/meetup series skip), or missed (it began while the
-- bot was down, so it was never posted). The next occurrence to post is the first after the last
-- posted or missed one.
CREATE TABLE series_occurrences (
    guild_id   INTEGER NOT NULL,
    series_id  INTEGER NOT NULL REFERENCES meetup_series (id) ON DELETE CASCADE,
    day        TEXT    NOT NULL,
    local_time TEXT    NOT NULL,
    state      TEXT    NOT NULL CHECK (state IN ('posted', 'skipped', 'missed')),
    meetup_id  INTEGER REFERENCES meetups (id) ON DELETE SET NULL,
    decided_at INTEGER NOT NULL,
    PRIMARY KEY (series_id, day)
) STRICT;

ALTER TABLE meetups ADD COLUMN series_id INTEGER REFERENCES meetup_series (id);

CREATE INDEX meetups_series ON meetups (series_id, starts_at) WHERE series_id IS NOT NULL;

-- In offer mode a freed place is offered to the first waitlisted member and held for them until
-- expires_at; one open offer per member and meetup.
CREATE TABLE waitlist_offers (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    meetup_id   INTEGER NOT NULL REFERENCES meetups (id) ON DELETE CASCADE,
    member_id   INTEGER NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'open'
                        CHECK (state IN ('open', 'claimed', 'passed', 'expired', 'withdrawn')),
    offered_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    answered_at INTEGER
) STRICT;

CREATE UNIQUE INDEX waitlist_offers_open ON waitlist_offers (meetup_id, member_id) WHERE state = 'open';
CREATE INDEX waitlist_offers_member ON waitlist_offers (guild_id, member_id);

-- Who got the one nudge before a meetup (Maybe, or voted for its winning options without answering).
CREATE TABLE meetup_nudges (
    guild_id  INTEGER NOT NULL,
    meetup_id INTEGER NOT NULL REFERENCES meetups (id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL,
    nudged_at INTEGER NOT NULL,
    PRIMARY KEY (meetup_id, member_id)
) STRICT;

CREATE INDEX meetup_nudges_member ON meetup_nudges (guild_id, member_id);

-- /config series ahead, /config waitlist mode hold, /config reminders undecided (0: off).
ALTER TABLE guild_settings ADD COLUMN series_ahead INTEGER NOT NULL DEFAULT 604800;
ALTER TABLE guild_settings ADD COLUMN waitlist_mode TEXT NOT NULL DEFAULT 'auto'
    CHECK (waitlist_mode IN ('auto', 'offer'));
ALTER TABLE guild_settings ADD COLUMN waitlist_hold INTEGER NOT NULL DEFAULT 43200;
ALTER TABLE guild_settings ADD COLUMN undecided_nudge INTEGER NOT NULL DEFAULT 172800;
