-- Engagement (package engage): partners, their contacts, activities with
-- their status over time, the partners each activity involved and the
-- records of other parts it concerns. Exchange (package exchange): keys an
-- institution trusts, bundles received from other Vigil instances and the
-- records they carried, kept apart from the institution's own records.

CREATE TABLE engage_partners (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    country_code   TEXT NOT NULL DEFAULT '',
    description    TEXT NOT NULL DEFAULT '',
    sensitivity    BIGINT NOT NULL DEFAULT 3 CHECK (sensitivity BETWEEN 1 AND 4),
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX engage_partners_institution ON engage_partners(institution_id, name);

-- Contact details are identifying: *_enc hold fieldcrypt ciphertext bound to
-- institution, table, id and field. Contacts are confidential by default.
CREATE TABLE engage_contacts (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    partner_id     TEXT NOT NULL REFERENCES engage_partners(id),
    position       TEXT NOT NULL DEFAULT '',
    name_enc       TEXT NOT NULL DEFAULT '',
    email_enc      TEXT NOT NULL DEFAULT '',
    phone_enc      TEXT NOT NULL DEFAULT '',
    notes_enc      TEXT NOT NULL DEFAULT '',
    sensitivity    BIGINT NOT NULL DEFAULT 4 CHECK (sensitivity BETWEEN 1 AND 4),
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX engage_contacts_partner ON engage_contacts(institution_id, partner_id);

CREATE TABLE engage_activities (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    kind           TEXT NOT NULL,
    title          TEXT NOT NULL,
    summary        TEXT NOT NULL DEFAULT '',
    start_date     TEXT NOT NULL,
    end_date       TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL,
    outcome        TEXT NOT NULL DEFAULT '',
    follow_up_date TEXT NOT NULL DEFAULT '',
    follow_up      TEXT NOT NULL DEFAULT '',
    sensitivity    BIGINT NOT NULL DEFAULT 3 CHECK (sensitivity BETWEEN 1 AND 4),
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX engage_activities_date ON engage_activities(institution_id, start_date);

CREATE TABLE engage_activity_partners (
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    activity_id    TEXT NOT NULL REFERENCES engage_activities(id),
    partner_id     TEXT NOT NULL REFERENCES engage_partners(id),
    PRIMARY KEY (activity_id, partner_id)
);
CREATE INDEX engage_activity_partners_partner ON engage_activity_partners(institution_id, partner_id);

-- Links to records of other parts by kind and id or code text (a risk
-- factor code, a recommendation id, an incident id, a report title).
CREATE TABLE engage_activity_links (
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    activity_id    TEXT NOT NULL REFERENCES engage_activities(id),
    kind           TEXT NOT NULL,
    ref            TEXT NOT NULL,
    PRIMARY KEY (activity_id, kind, ref)
);

-- Every change of an activity's status, so the history can be read back.
CREATE TABLE engage_activity_status (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    activity_id    TEXT NOT NULL REFERENCES engage_activities(id),
    status         TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    changed_by     TEXT NOT NULL,
    changed_at     TEXT NOT NULL
);
CREATE INDEX engage_activity_status_activity ON engage_activity_status(institution_id, activity_id, changed_at);

-- Ed25519 public keys of other Vigil instances whose bundles this
-- institution accepts. fingerprint is hex SHA-256 of the raw key.
CREATE TABLE exchange_keys (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    name           TEXT NOT NULL,
    public_key     TEXT NOT NULL,
    fingerprint    TEXT NOT NULL,
    added_by       TEXT NOT NULL,
    added_at       TEXT NOT NULL,
    UNIQUE (institution_id, fingerprint)
);

CREATE TABLE exchange_bundles (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    bundle_id      TEXT NOT NULL,
    fingerprint    TEXT NOT NULL,
    sender         TEXT NOT NULL,
    level          BIGINT NOT NULL,
    created_at     TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    records        BIGINT NOT NULL,
    inserted       BIGINT NOT NULL,
    updated        BIGINT NOT NULL,
    unchanged      BIGINT NOT NULL
);
CREATE INDEX exchange_bundles_institution ON exchange_bundles(institution_id, received_at);

-- Records received, keyed by the sender's stable record id, so importing a
-- bundle twice changes nothing.
CREATE TABLE exchange_records (
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    record_id      TEXT NOT NULL,
    fingerprint    TEXT NOT NULL,
    sender         TEXT NOT NULL,
    kind           TEXT NOT NULL,
    title          TEXT NOT NULL,
    record_date    TEXT NOT NULL DEFAULT '',
    sensitivity    BIGINT NOT NULL CHECK (sensitivity BETWEEN 1 AND 2),
    body           TEXT NOT NULL,
    hash           TEXT NOT NULL,
    bundle_id      TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (institution_id, record_id)
);
