-- Per-server configuration: feature channels, timezone, reminder offsets and pairing cadence.
CREATE TABLE guild_settings (
    guild_id         BIGINT PRIMARY KEY,
    timezone         TEXT,
    reminder_offsets TEXT    NOT NULL DEFAULT '86400,3600',
    pairing_cadence  TEXT    NOT NULL DEFAULT 'off'
                             CHECK (pairing_cadence IN ('off', 'weekly', 'biweekly', 'monthly')),
    pairing_size     BIGINT NOT NULL DEFAULT 2 CHECK (pairing_size BETWEEN 2 AND 4),
    updated_at       BIGINT NOT NULL
);

CREATE TABLE guild_channels (
    guild_id   BIGINT NOT NULL,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('introductions', 'meetups', 'pairing', 'support')),
    channel_id BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (guild_id, purpose)
);
