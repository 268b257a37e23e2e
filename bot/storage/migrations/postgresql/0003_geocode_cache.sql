-- reason: remember what Nominatim answered (city level only) so each city is asked about once
CREATE TABLE geocode_cache (
    query TEXT PRIMARY KEY,          -- what was looked up, normalised; street parts already removed
    name TEXT NOT NULL,              -- the city, town or village
    admin TEXT,                      -- its region, e.g. "Oregon"
    country TEXT NOT NULL CHECK (length(country) = 2),
    latitude DOUBLE PRECISION NOT NULL CHECK (latitude BETWEEN -90 AND 90 AND latitude::numeric = round(latitude::numeric, 2)),
    longitude DOUBLE PRECISION NOT NULL CHECK (longitude BETWEEN -180 AND 180 AND longitude::numeric = round(longitude::numeric, 2)),
    timezone TEXT,
    created_at BIGINT NOT NULL
);
