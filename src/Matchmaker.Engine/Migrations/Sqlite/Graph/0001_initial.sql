-- Today's schema as the stores created it before versioned migrations; IF NOT EXISTS lets a database made then adopt it.
CREATE TABLE IF NOT EXISTS organizations (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    city        TEXT NOT NULL,
    sectors     TEXT NOT NULL,   -- '|a|b|' so that one instr() finds a code
    sub_fields  TEXT NOT NULL,
    search_text TEXT NOT NULL,   -- lower-cased names and aliases
    record      TEXT NOT NULL    -- the full OrganizationRecord as JSON
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_organizations_kind_city ON organizations(kind, city);
CREATE TABLE IF NOT EXISTS projects (
    id        TEXT PRIMARY KEY,
    title     TEXT,
    year      INTEGER NOT NULL,
    sector    TEXT NOT NULL,
    sub_field TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS project_members (
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    org_id     TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    ordinal    INTEGER NOT NULL,
    PRIMARY KEY (project_id, org_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_project_members_org ON project_members(org_id);
CREATE TABLE IF NOT EXISTS ties (
    from_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    to_id   TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    type    TEXT NOT NULL,
    year    INTEGER,
    PRIMARY KEY (from_id, to_id, type)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_ties_to ON ties(to_id);
