-- Who came to a meetup (the "I was there" button): attendance on /profile, and whom to offer for picks.
CREATE TABLE meetup_attendance (
    guild_id      INTEGER NOT NULL,
    meetup_id     INTEGER NOT NULL REFERENCES meetups (id) ON DELETE CASCADE,
    member_id     INTEGER NOT NULL,
    checked_in_at INTEGER NOT NULL,
    PRIMARY KEY (meetup_id, member_id)
) STRICT;

CREATE INDEX meetup_attendance_member ON meetup_attendance (guild_id, member_id);
