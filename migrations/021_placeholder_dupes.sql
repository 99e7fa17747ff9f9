-- Placeholder on branch issue16-dupes only: number 021 belongs to another part of issue 16.
-- Drop this file when merging (tern needs consecutive numbers).
SELECT 1;
