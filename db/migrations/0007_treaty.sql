-- Treaty ratification and implementation monitor (package treaty).
--
-- Reference data, shared by every institution of the instance like a
-- dictionary (no institution_id): the catalogue of instruments, each State's
-- participation as the depositary publishes it (with its source and "as of"
-- date, and a history row whenever an imported value changes), and the
-- reservations, declarations and objections with their text and the
-- optional procedures the importer suggests they accept.
--
-- An institution's own work (institution_id, row-level security): its
-- confirmations of what a declaration accepts, and the implementation
-- checklist it fills in with evidence.

CREATE TABLE treaty_instruments (
    id                   TEXT PRIMARY KEY,
    short_name           TEXT NOT NULL,
    title                TEXT NOT NULL,
    category             TEXT NOT NULL DEFAULT '',
    untc_id              TEXT NOT NULL DEFAULT '',
    other_ref            TEXT NOT NULL DEFAULT '',
    depositary           TEXT NOT NULL DEFAULT '',
    adopted              TEXT NOT NULL DEFAULT '',
    entry_into_force     TEXT NOT NULL DEFAULT '',
    monitoring_body      TEXT NOT NULL DEFAULT '',
    optional_acceptances TEXT NOT NULL DEFAULT '',
    source               TEXT NOT NULL DEFAULT '',
    added_by             TEXT NOT NULL DEFAULT '',
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX treaty_instruments_untc ON treaty_instruments(untc_id);

CREATE TABLE treaty_participation (
    state           TEXT NOT NULL,
    instrument_id   TEXT NOT NULL REFERENCES treaty_instruments(id),
    signature_date  TEXT NOT NULL DEFAULT '',
    consent_date    TEXT NOT NULL DEFAULT '',
    consent_type    TEXT NOT NULL DEFAULT '',
    withdrawal_date TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL DEFAULT '',
    as_of           TEXT NOT NULL DEFAULT '',
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (state, instrument_id)
);
-- Covers the party counts per instrument (comparisons, catalogue) so that
-- they read the index alone.
CREATE INDEX treaty_participation_instrument ON treaty_participation(instrument_id, withdrawal_date, consent_date, consent_type, state);

CREATE TABLE treaty_participation_history (
    id            TEXT PRIMARY KEY,
    state         TEXT NOT NULL,
    instrument_id TEXT NOT NULL REFERENCES treaty_instruments(id),
    field         TEXT NOT NULL,
    old_value     TEXT NOT NULL,
    new_value     TEXT NOT NULL,
    source        TEXT NOT NULL DEFAULT '',
    as_of         TEXT NOT NULL DEFAULT '',
    changed_at    TEXT NOT NULL
);
CREATE INDEX treaty_participation_history_key ON treaty_participation_history(state, instrument_id, changed_at);

CREATE TABLE treaty_declarations (
    id            TEXT PRIMARY KEY,
    state         TEXT NOT NULL,
    instrument_id TEXT NOT NULL REFERENCES treaty_instruments(id),
    section       TEXT NOT NULL CHECK (section IN ('reservations','objections','optional_articles')),
    heading       TEXT NOT NULL DEFAULT '',
    articles      TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL,
    suggested     TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL DEFAULT '',
    as_of         TEXT NOT NULL DEFAULT '',
    updated_at    TEXT NOT NULL
);
CREATE INDEX treaty_declarations_state ON treaty_declarations(state, instrument_id);

-- A person's confirmation that a State accepted (or did not accept, or
-- withdrew) an optional procedure, usually from a declaration's text.
CREATE TABLE treaty_acceptances (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    state          TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('accepted','not_accepted','withdrawn')),
    declaration_id TEXT NOT NULL DEFAULT '',
    accepted_on    TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    sensitivity    BIGINT NOT NULL DEFAULT 3 CHECK (sensitivity BETWEEN 1 AND 4),
    confirmed_by   TEXT NOT NULL,
    confirmed_at   TEXT NOT NULL,
    UNIQUE (institution_id, state, procedure_code)
);

-- The implementation checklist: one row per State and item, with evidence.
CREATE TABLE treaty_checklist (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    state          TEXT NOT NULL,
    item           TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('yes','partly','no','unknown')),
    evidence       TEXT NOT NULL DEFAULT '',
    source_url     TEXT NOT NULL DEFAULT '',
    as_of          TEXT NOT NULL DEFAULT '',
    sensitivity    BIGINT NOT NULL DEFAULT 3 CHECK (sensitivity BETWEEN 1 AND 4),
    updated_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (institution_id, state, item)
);
