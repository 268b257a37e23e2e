-- Who met whom in person (mutual picks after a meetup, pairing answers, /met) and the one-sided picks that lead there.
CREATE TABLE meeting_picks (
    guild_id         BIGINT NOT NULL,
    context          TEXT    NOT NULL CHECK (context IN ('meetup', 'pairing', 'manual')),
    context_id       BIGINT NOT NULL,
    member_id        BIGINT NOT NULL,
    picked_member_id BIGINT NOT NULL,
    picked_at        BIGINT NOT NULL,
    PRIMARY KEY (guild_id, context, context_id, member_id, picked_member_id),
    CHECK (member_id <> picked_member_id)
);

CREATE INDEX meeting_picks_picked ON meeting_picks (guild_id, context, context_id, picked_member_id);

CREATE TABLE met_in_person (
    guild_id        BIGINT NOT NULL,
    member_id       BIGINT NOT NULL,
    other_member_id BIGINT NOT NULL,
    first_met_at    BIGINT NOT NULL,
    last_met_at     BIGINT NOT NULL,
    times           BIGINT NOT NULL DEFAULT 1,
    context         TEXT    NOT NULL,
    context_id      BIGINT NOT NULL,
    PRIMARY KEY (guild_id, member_id, other_member_id),
    CHECK (member_id < other_member_id)
);

CREATE INDEX met_in_person_other ON met_in_person (guild_id, other_member_id);
