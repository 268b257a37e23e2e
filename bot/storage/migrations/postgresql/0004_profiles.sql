-- Member profiles from /intro, their interest tags and their privacy preferences.
CREATE TABLE profiles (
    guild_id         BIGINT NOT NULL,
    member_id        BIGINT NOT NULL,
    about            TEXT    NOT NULL,
    city             TEXT,
    place_name       TEXT,
    place_admin      TEXT,
    place_country    TEXT,
    latitude         DOUBLE PRECISION,
    longitude        DOUBLE PRECISION,
    timezone         TEXT,
    links            TEXT    NOT NULL DEFAULT '',
    intro_channel_id BIGINT,
    intro_message_id BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    last_active      BIGINT NOT NULL,
    PRIMARY KEY (guild_id, member_id),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);

CREATE TABLE profile_interests (
    guild_id  BIGINT NOT NULL,
    member_id BIGINT NOT NULL,
    tag       TEXT    NOT NULL CHECK (length(tag) BETWEEN 1 AND 40),
    position  BIGINT NOT NULL CHECK (position BETWEEN 0 AND 99),
    PRIMARY KEY (guild_id, member_id, tag),
    FOREIGN KEY (guild_id, member_id) REFERENCES profiles (guild_id, member_id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE
);

CREATE INDEX profile_interests_by_tag ON profile_interests (guild_id, tag);

CREATE TABLE member_preferences (
    guild_id     BIGINT NOT NULL,
    member_id    BIGINT NOT NULL,
    discoverable BIGINT NOT NULL DEFAULT 1 CHECK (discoverable IN (0, 1)),
    dm           BIGINT NOT NULL DEFAULT 0 CHECK (dm IN (0, 1)),
    helper       BIGINT NOT NULL DEFAULT 0 CHECK (helper IN (0, 1)),
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (guild_id, member_id)
);
