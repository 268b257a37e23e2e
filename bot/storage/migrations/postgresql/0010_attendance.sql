-- Who came to a meetup (the "I was there" button): attendance on /profile, and whom to offer for picks.
CREATE TABLE meetup_attendance (
    guild_id      BIGINT NOT NULL,
    meetup_id     BIGINT NOT NULL REFERENCES meetups (id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
    member_id     BIGINT NOT NULL,
    checked_in_at BIGINT NOT NULL,
    PRIMARY KEY (meetup_id, member_id)
);

CREATE INDEX meetup_attendance_member ON meetup_attendance (guild_id, member_id);
