-- Start-up with a million pending reminders: each meetup records the start and end its follow-ups were planned for, so finding the ones out of step compares two columns instead of parsing every task's payload (NULL: planned by an older version, judged by its tasks).
ALTER TABLE meetup_followups ADD COLUMN planned_starts_at BIGINT;
ALTER TABLE meetup_followups ADD COLUMN planned_ends_at BIGINT;
