-- Member profiles from /intro, their interest tags and their privacy preferences.
CREATE TABLE profiles (
    guild_id         INTEGER NOT NULL,
    member_id        INTEGER NOT NULL,
    about            TEXT    NOT NULL,
    city             TEXT,
    place_name       TEXT,
    place_admin      TEXT,
    place_country    TEXT,
    latitude         REAL,
    longitude        REAL,
    timezone         TEXT,
    links            TEXT    NOT NULL DEFAULT '',
    intro_channel_id INTEGER,
    intro_message_id INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    last_active      INTEGER NOT NULL,
    PRIMARY KEY (guild_id, member_id),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
) STRICT;

CREATE TABLE profile_interests (
    guild_id  INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    tag       TEXT    NOT NULL CHECK (length(tag) BETWEEN 1 AND 40),
    position  INTEGER NOT NULL CHECK (position BETWEEN 0 AND 99),
    PRIMARY KEY (guild_id, member_id, tag),
    FOREIGN KEY (guild_id, member_id) REFERENCES profiles (guild_id, member_id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE INDEX profile_interests_by_tag ON profile_interests (guild_id, tag);

CREATE TABLE member_preferences (
    guild_id     INTEGER NOT NULL,
    member_id    INTEGER NOT NULL,
    discoverable INTEGER NOT NULL DEFAULT 1 CHECK (discoverable IN (0, 1)),
    dm           INTEGER NOT NULL DEFAULT 0 CHECK (dm IN (0, 1)),
    helper       INTEGER NOT NULL DEFAULT 0 CHECK (helper IN (0, 1)),
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (guild_id, member_id)
) STRICT;
