-- Incident documentation after the HURIDOCS Events Standard Formats, the
-- security-force units it names, the accountability and redress that follow
-- an act, and the evidence files behind it (issue 5). Persons are in 0002.

-- Security-force units and other organisations, in a hierarchy that changes
-- over time (unit_links) with commanders over time (unit_commanders).
CREATE TABLE units (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    name           TEXT NOT NULL,
    force          TEXT NOT NULL DEFAULT '',
    kind           TEXT NOT NULL DEFAULT 'unit',
    notes          TEXT NOT NULL DEFAULT '',
    sensitivity    BIGINT NOT NULL DEFAULT 3 CHECK (sensitivity BETWEEN 1 AND 4),
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX units_institution ON units(institution_id, force, name);

CREATE TABLE unit_links (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    unit_id        TEXT NOT NULL REFERENCES units(id),
    parent_id      TEXT NOT NULL REFERENCES units(id),
    valid_from     TEXT NOT NULL DEFAULT '',
    valid_to       TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL
);
CREATE INDEX unit_links_unit ON unit_links(institution_id, unit_id);
CREATE INDEX unit_links_parent ON unit_links(institution_id, parent_id);

CREATE TABLE unit_commanders (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    unit_id        TEXT NOT NULL REFERENCES units(id),
    person_id      TEXT NOT NULL DEFAULT '',
    title          TEXT NOT NULL DEFAULT '',
    valid_from     TEXT NOT NULL DEFAULT '',
    valid_to       TEXT NOT NULL DEFAULT '',
    sensitivity    BIGINT NOT NULL DEFAULT 3 CHECK (sensitivity BETWEEN 1 AND 4),
    created_at     TEXT NOT NULL
);
CREATE INDEX unit_commanders_unit ON unit_commanders(institution_id, unit_id);

-- Events: something that happened at a place over a time, with the
-- precision of each. Imported events keep their source and source id; their
-- own id is derived from those, so a re-import finds them again.
CREATE TABLE events (
    id                TEXT PRIMARY KEY,
    institution_id    TEXT NOT NULL REFERENCES institutions(id),
    origin            TEXT NOT NULL DEFAULT 'manual',
    origin_id         TEXT NOT NULL DEFAULT '',
    title             TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    violence          TEXT NOT NULL DEFAULT '',
    country           TEXT NOT NULL DEFAULT '',
    country_name      TEXT NOT NULL DEFAULT '',
    region            TEXT NOT NULL DEFAULT '',
    admin1            TEXT NOT NULL DEFAULT '',
    admin2            TEXT NOT NULL DEFAULT '',
    place             TEXT NOT NULL DEFAULT '',
    latitude          DOUBLE PRECISION,
    longitude         DOUBLE PRECISION,
    place_precision   BIGINT NOT NULL DEFAULT 0,
    date_start        TEXT NOT NULL,
    date_end          TEXT NOT NULL,
    date_precision    BIGINT NOT NULL DEFAULT 1,
    side_a            TEXT NOT NULL DEFAULT '',
    side_b            TEXT NOT NULL DEFAULT '',
    fatalities        BIGINT NOT NULL DEFAULT 0,
    civilian_deaths   BIGINT NOT NULL DEFAULT 0,
    sources_text      TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL DEFAULT 'open',
    sensitivity       BIGINT NOT NULL DEFAULT 3 CHECK (sensitivity BETWEEN 1 AND 4),
    row_hash          TEXT NOT NULL DEFAULT '',
    created_by        TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX events_date ON events(institution_id, date_start);

-- Acts within an event, typed from the controlled vocabulary (incident.ActTypes).
CREATE TABLE acts (
    id               TEXT PRIMARY KEY,
    institution_id   TEXT NOT NULL REFERENCES institutions(id),
    event_id         TEXT NOT NULL REFERENCES events(id),
    act_type         TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    victims          BIGINT NOT NULL DEFAULT 0,
    violation_status TEXT NOT NULL DEFAULT 'unknown',
    sensitivity      BIGINT NOT NULL DEFAULT 3 CHECK (sensitivity BETWEEN 1 AND 4),
    created_at       TEXT NOT NULL
);
CREATE INDEX acts_event ON acts(institution_id, event_id);

-- Risk-assessment indicators an act bears on, by indicator code text (e.g. "RF9.3").
CREATE TABLE act_indicators (
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    act_id         TEXT NOT NULL REFERENCES acts(id),
    indicator_code TEXT NOT NULL,
    PRIMARY KEY (act_id, indicator_code)
);
CREATE INDEX act_indicators_code ON act_indicators(institution_id, indicator_code);

-- Who was involved in an act: a person (victim, witness, alleged perpetrator)
-- or a unit, and for perpetrators the degree of involvement.
CREATE TABLE involvements (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    act_id         TEXT NOT NULL REFERENCES acts(id),
    person_id      TEXT NOT NULL DEFAULT '',
    unit_id        TEXT NOT NULL DEFAULT '',
    role           TEXT NOT NULL,
    degree         TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL
);
CREATE INDEX involvements_act ON involvements(institution_id, act_id);
CREATE INDEX involvements_unit ON involvements(institution_id, unit_id);

-- Sources of information on an event, with their reliability.
CREATE TABLE event_sources (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    event_id       TEXT NOT NULL REFERENCES events(id),
    person_id      TEXT NOT NULL DEFAULT '',
    title          TEXT NOT NULL,
    kind           TEXT NOT NULL DEFAULT 'other',
    reliability    TEXT NOT NULL DEFAULT 'unknown',
    received_on    TEXT NOT NULL DEFAULT '',
    sensitivity    BIGINT NOT NULL DEFAULT 3 CHECK (sensitivity BETWEEN 1 AND 4),
    created_at     TEXT NOT NULL
);
CREATE INDEX event_sources_event ON event_sources(institution_id, event_id);

-- Accountability and redress: a case follows an event or one act of it
-- through its stages (case_steps) to reparation (case_reparations).
CREATE TABLE cases (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    event_id       TEXT NOT NULL REFERENCES events(id),
    act_id         TEXT NOT NULL DEFAULT '',
    title          TEXT NOT NULL,
    authority      TEXT NOT NULL DEFAULT '',
    stage          TEXT NOT NULL DEFAULT 'complaint',
    outcome        TEXT NOT NULL DEFAULT 'open',
    opened_on      TEXT NOT NULL,
    deadline       TEXT NOT NULL DEFAULT '',
    last_step_on   TEXT NOT NULL,
    sensitivity    BIGINT NOT NULL DEFAULT 3 CHECK (sensitivity BETWEEN 1 AND 4),
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX cases_event ON cases(institution_id, event_id);
CREATE INDEX cases_deadline ON cases(institution_id, outcome, deadline);

CREATE TABLE case_steps (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    case_id        TEXT NOT NULL REFERENCES cases(id),
    stage          TEXT NOT NULL,
    on_date        TEXT NOT NULL,
    authority      TEXT NOT NULL DEFAULT '',
    outcome        TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    deadline       TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX case_steps_case ON case_steps(institution_id, case_id, on_date);

CREATE TABLE case_reparations (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    case_id        TEXT NOT NULL REFERENCES cases(id),
    form           TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'ordered',
    on_date        TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX case_reparations_case ON case_reparations(institution_id, case_id);

-- Evidence: metadata of a file whose bytes sit in the content-addressed
-- blob store (package blob), and its chain of custody.
CREATE TABLE evidence (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    event_id       TEXT NOT NULL REFERENCES events(id),
    sha256         TEXT NOT NULL,
    size           BIGINT NOT NULL,
    filename       TEXT NOT NULL,
    media_type     TEXT NOT NULL DEFAULT 'application/octet-stream',
    description    TEXT NOT NULL DEFAULT '',
    captured_on    TEXT NOT NULL DEFAULT '',
    captured_by    TEXT NOT NULL DEFAULT '',
    working_copy_of TEXT NOT NULL DEFAULT '',
    sensitivity    BIGINT NOT NULL DEFAULT 4 CHECK (sensitivity BETWEEN 1 AND 4),
    received_by    TEXT NOT NULL,
    received_at    TEXT NOT NULL
);
CREATE INDEX evidence_event ON evidence(institution_id, event_id);

CREATE TABLE custody (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    evidence_id    TEXT NOT NULL REFERENCES evidence(id),
    action         TEXT NOT NULL,
    actor_id       TEXT NOT NULL,
    actor_name     TEXT NOT NULL,
    at             TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX custody_evidence ON custody(institution_id, evidence_id, at);

-- The blob store's index: one row per stored file and institution. On
-- PostgreSQL the bytes are in data (so every server sees them); on SQLite
-- data is empty and the bytes are a file in the data directory, unless the
-- blob was written inline (demo data, small files).
CREATE TABLE blobs (
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    sha256         TEXT NOT NULL,
    size           BIGINT NOT NULL,
    inline         BIGINT NOT NULL DEFAULT 0,
    data           BLOB,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (institution_id, sha256)
);
