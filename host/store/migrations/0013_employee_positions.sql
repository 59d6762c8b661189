-- Each employee's position (jabatan) by its code in the national position reference (issue #10
-- item 5): the region's catalogue (`positions`, 0012) says whether that position qualifies, and
-- the plugin is given both. NULL when the personnel export did not say (the position is then
-- "unlisted" to the rules, as it is for a code the catalogue does not hold yet).
ALTER TABLE employees ADD COLUMN position_code TEXT;
