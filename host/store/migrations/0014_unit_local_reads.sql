-- Reading a page of staff by unit without a random index look-up per person (issue #9: at
-- 5,000,000 employees those look-ups made ten times the people cost twenty times the time).
-- Pages go by unit; everything a page reads is now found by unit too.
--
-- 1. An employee's SKP ratings and disciplinary penalties come with the employee from the
--    personnel export and are replaced with it: they are kept on the employee's row, as JSON
--    arrays in the shape the page reader and the one-employee query parse —
--    `ratings_json` `[[year, work_result, work_behaviour], …]` by year,
--    `penalties_json` `[[level, start_date, end_date or null], …]` by start date, then level.
--    The `ratings` and `penalties` tables are converted and dropped.
-- 2. An application and a review record the applicant's unit (an employee's unit never changes
--    once stored: the import refuses a NIP that exists), indexed by quarter and unit, so a
--    page's applications and last quarter's reviews are index ranges, not one look-up per NIP.
--
-- Portable between SQLite (3.44+, bundled) and PostgreSQL: `string_agg … ORDER BY` and `||`.

ALTER TABLE employees ADD COLUMN ratings_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE employees ADD COLUMN penalties_json TEXT NOT NULL DEFAULT '[]';

UPDATE employees SET ratings_json = COALESCE((
    SELECT '[' || string_agg('[' || r.year || ',"' || r.work_result || '","' || r.work_behaviour || '"]', ','
                             ORDER BY r.year) || ']'
    FROM ratings r WHERE r.nip = employees.nip), '[]');

UPDATE employees SET penalties_json = COALESCE((
    SELECT '[' || string_agg('["' || p.level || '","' || p.start_date || '",'
                             || COALESCE('"' || p.end_date || '"', 'null') || ']', ','
                             ORDER BY p.start_date, p.level) || ']'
    FROM penalties p WHERE p.nip = employees.nip), '[]');

DROP TABLE ratings;
DROP TABLE penalties;

ALTER TABLE applications ADD COLUMN unit TEXT NOT NULL DEFAULT '';
UPDATE applications SET unit = COALESCE((SELECT e.unit FROM employees e WHERE e.nip = applications.nip), '');
CREATE INDEX applications_quarter_unit ON applications (quarter, unit) WHERE status <> 'withdrawn';

ALTER TABLE reviews ADD COLUMN unit TEXT NOT NULL DEFAULT '';
UPDATE reviews SET unit = COALESCE((SELECT e.unit FROM employees e WHERE e.nip = reviews.nip), '');
CREATE INDEX reviews_quarter_unit ON reviews (quarter, unit);
