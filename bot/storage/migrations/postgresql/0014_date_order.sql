-- reason: /config dateformat, how a server writes numeric dates (3/4); NULL follows the server's timezone
ALTER TABLE guild_settings ADD COLUMN date_order TEXT CHECK (date_order IN ('day-month', 'month-day'));
