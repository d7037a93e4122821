-- Saved column mappings for importing files, by name and kind of record.
CREATE TABLE import_presets (
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    mapping TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (kind, name)
);
