-- /ask: who was mentioned for a question and when, to ask nobody more than 3 times in 24 hours.
CREATE TABLE ask_mentions (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    asked_at   INTEGER NOT NULL,
    message_id INTEGER NOT NULL
) STRICT;

CREATE INDEX ask_mentions_member ON ask_mentions (guild_id, member_id, asked_at);
