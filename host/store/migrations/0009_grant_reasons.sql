-- Why a grant gave fewer days than the candidate may have (contract 0.3.0's grant reasons, e.g.
-- QUOTA_FULL with the unit's headcount, minimum office presence and days available), stored with
-- the roster row the allocation wrote: a JSON array of reasons ({code, passed, message: {id,
-- en}, remedy}), empty when there are none. The API shows them with the application; the next
-- quarter's rotation reads a row of 0 days as "not granted because the unit was full".
ALTER TABLE roster ADD COLUMN reasons TEXT NOT NULL DEFAULT '';
