-- Onboarding a region from real data (`dwa init`, `dwa region add`, the unit import): the unit
-- hierarchy and the other fields of the national personnel system's unor export. Units stored
-- before this migration are top units, active, without an echelon or head position.

-- The parent unit (unit di atasan); NULL for a top unit. Always a unit of the same region
-- (checked by the import). SQLite may add a column with a foreign key only with a NULL default.
ALTER TABLE units ADD COLUMN parent TEXT REFERENCES units (code);
-- The echelon of the unit's head, 1–4; NULL for a non-structural unit.
ALTER TABLE units ADD COLUMN echelon BIGINT;
-- The head's position (nama jabatan), e.g. `Kepala Bagian Hukum`.
ALTER TABLE units ADD COLUMN head_position TEXT;
-- 0 for a unit no longer active: kept for the hierarchy; employees are not imported into it.
ALTER TABLE units ADD COLUMN active BIGINT NOT NULL DEFAULT 1;
CREATE INDEX units_parent ON units (parent);
