-- Reference list of countries (ISO 3166-1 alpha-3 with UN M49 regions) and
-- the other spellings that sources use for them. Shared by every
-- institution of the instance, like a dictionary: no institution_id.
CREATE TABLE countries (
    code       TEXT PRIMARY KEY,
    alpha2     TEXT NOT NULL DEFAULT '',
    name       TEXT NOT NULL,
    m49        TEXT NOT NULL DEFAULT '',
    region     TEXT NOT NULL DEFAULT '',
    sub_region TEXT NOT NULL DEFAULT ''
);

CREATE TABLE country_aliases (
    alias  TEXT PRIMARY KEY,
    code   TEXT NOT NULL REFERENCES countries(code),
    source TEXT NOT NULL DEFAULT ''
);
