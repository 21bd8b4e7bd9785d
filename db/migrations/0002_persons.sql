-- Persons named in documentation: victims, witnesses, sources, alleged
-- perpetrators. Identifying fields (*_enc) hold AES-256-GCM ciphertext from
-- package fieldcrypt, bound to institution, table, id and field; the store
-- alone never reveals them. Non-identifying fields stay in clear for counts.
CREATE TABLE persons (
    id              TEXT PRIMARY KEY,
    institution_id  TEXT NOT NULL REFERENCES institutions(id),
    kind            TEXT NOT NULL CHECK (kind IN ('victim','witness','source','alleged_perpetrator','other')),
    pseudonym       TEXT NOT NULL,
    name_enc        TEXT NOT NULL DEFAULT '',
    contact_enc     TEXT NOT NULL DEFAULT '',
    id_document_enc TEXT NOT NULL DEFAULT '',
    address_enc     TEXT NOT NULL DEFAULT '',
    sex             TEXT NOT NULL DEFAULT 'unknown',
    age_group       TEXT NOT NULL DEFAULT 'unknown',
    notes_enc       TEXT NOT NULL DEFAULT '',
    sensitivity     BIGINT NOT NULL DEFAULT 4 CHECK (sensitivity BETWEEN 1 AND 4),
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX persons_institution ON persons(institution_id, kind);
