-- reason: /stats: when members joined, first used /match and planned a catch-up (nothing recorded them), and the weekly digest's channel
-- The first time a member did something the path of /stats counts and no other table records:
-- joined the server (on join, or their Discord join date when they introduce themselves), found
-- someone with /match (a list with at least one member), planned a catch-up after a nudge.
CREATE TABLE member_milestones (
    guild_id  BIGINT NOT NULL,
    member_id BIGINT NOT NULL,
    kind      TEXT    NOT NULL CHECK (kind IN ('joined', 'matched', 'catchup')),
    first_at  BIGINT NOT NULL,
    PRIMARY KEY (guild_id, member_id, kind)
);

-- Covering (member_id last): /stats reads the members who joined in a period from the index alone.
CREATE INDEX member_milestones_kind ON member_milestones (guild_id, kind, first_at, member_id);

-- /stats' busiest cities: a scan of this index instead of every profile.
CREATE INDEX profiles_place ON profiles (guild_id, place_name, place_country) WHERE place_name IS NOT NULL;

-- /stats' path looks each cohort member up in the tables of the later steps (correlated, small
-- cohorts) or lists each step's members once (big cohorts): covering indexes, so either reads
-- the index alone, never the table rows.
CREATE INDEX profiles_stats ON profiles (guild_id, member_id, created_at);
CREATE INDEX meetup_rsvps_stats ON meetup_rsvps (guild_id, member_id, status, updated_at);
CREATE INDEX meetup_attendance_stats ON meetup_attendance (guild_id, member_id, checked_in_at);
CREATE INDEX met_in_person_stats ON met_in_person (guild_id, member_id, first_met_at, times, last_met_at);
CREATE INDEX met_in_person_other_stats
    ON met_in_person (guild_id, other_member_id, first_met_at, times, last_met_at);
CREATE INDEX pairing_group_members_stats ON pairing_group_members (guild_id, member_id, group_id);
-- Meetups held: each meetup's Going answers counted from the index alone.
CREATE INDEX meetup_rsvps_going ON meetup_rsvps (meetup_id, status, member_id);

-- /config digest: where the week's /stats is posted every Monday 09:00 server time (task_id: the
-- next posting in scheduled_tasks).
CREATE TABLE stats_digests (
    guild_id   BIGINT PRIMARY KEY,
    channel_id BIGINT NOT NULL,
    task_id    BIGINT,
    updated_at BIGINT NOT NULL
);
