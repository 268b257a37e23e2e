-- reason: SQLite < 3.4x's integrity_check reports a false "NULL value in poll_votes.guild_id" per row of this WITHOUT ROWID table; a rowid table with the same key, foreign key and index checks clean.
-- The rebuild runs with foreign keys on, inside the migration's transaction: nothing references
-- poll_votes, so dropping the old table cascades nowhere, and every copied vote already matches an
-- option (the foreign key was enforced when it was written). The primary key stays the same
-- (poll_id, kind, position, member_id): the vote writer's ON CONFLICT DO NOTHING still makes a
-- repeated vote a no-op.
CREATE TABLE poll_votes_new (
    guild_id  BIGINT NOT NULL,
    poll_id   BIGINT NOT NULL,
    kind      TEXT    NOT NULL,
    position  BIGINT NOT NULL,
    member_id BIGINT NOT NULL,
    PRIMARY KEY (poll_id, kind, position, member_id),
    FOREIGN KEY (poll_id, kind, position) REFERENCES poll_options (poll_id, kind, position) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE
);

INSERT INTO poll_votes_new (guild_id, poll_id, kind, position, member_id)
SELECT guild_id, poll_id, kind, position, member_id FROM poll_votes;

DROP TABLE poll_votes;

ALTER TABLE poll_votes_new RENAME TO poll_votes;

CREATE INDEX poll_votes_member ON poll_votes (guild_id, member_id);
