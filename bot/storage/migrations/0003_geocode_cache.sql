-- reason: remember what Nominatim answered (city level only) so each city is asked about once
CREATE TABLE geocode_cache (
    query TEXT PRIMARY KEY,          -- what was looked up, normalised; street parts already removed
    name TEXT NOT NULL,              -- the city, town or village
    admin TEXT,                      -- its region, e.g. "Oregon"
    country TEXT NOT NULL CHECK (length(country) = 2),
    latitude REAL NOT NULL CHECK (latitude BETWEEN -90 AND 90 AND latitude = round(latitude, 2)),
    longitude REAL NOT NULL CHECK (longitude BETWEEN -180 AND 180 AND longitude = round(longitude, 2)),
    timezone TEXT,
    created_at INTEGER NOT NULL
) STRICT;
