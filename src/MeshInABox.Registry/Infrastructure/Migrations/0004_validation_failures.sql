-- Why the last validation attempt of a version failed. Every claim counts an attempt (attempts), whether the
-- validator threw or its process died; after Registry:MaxValidationAttempts the version is rejected with this reason.
ALTER TABLE product_versions ADD COLUMN last_error text;
