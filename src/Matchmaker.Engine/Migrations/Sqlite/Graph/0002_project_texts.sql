-- Project texts (issue 19): the summary as text; keywords and call topics as JSON arrays read and written whole with
-- the project (["k", ...] and [{"code": "...", "title": "..."}, ...]). Nothing queries inside them, so side tables
-- would only add joins to every project read. NULL: none.
ALTER TABLE projects ADD COLUMN summary TEXT;
ALTER TABLE projects ADD COLUMN keywords TEXT;
ALTER TABLE projects ADD COLUMN topics TEXT;
