-- Atrocity-risk assessment on the UN Framework of Analysis (package risk).
-- A framework is versioned data: its risk factors and indicators are rows an
-- administrator can edit. An assessment copies the wording of every
-- indicator it rates when it is opened, so later edits of the framework never
-- rewrite a past assessment. Published assessments are frozen; a correction
-- is a new version that names the one it corrects (supersedes).

CREATE TABLE risk_frameworks (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    code           TEXT NOT NULL,
    version        TEXT NOT NULL,
    title          TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (institution_id, code, version)
);

CREATE TABLE risk_factors (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    framework_id   TEXT NOT NULL REFERENCES risk_frameworks(id),
    number         BIGINT NOT NULL,
    title          TEXT NOT NULL,
    applies_to     TEXT NOT NULL CHECK (applies_to IN ('all','genocide','crimes_against_humanity','war_crimes','national')),
    UNIQUE (framework_id, number)
);
CREATE INDEX risk_factors_institution ON risk_factors(institution_id, framework_id);

CREATE TABLE risk_indicators (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    framework_id   TEXT NOT NULL REFERENCES risk_frameworks(id),
    factor_number  BIGINT NOT NULL,
    number         TEXT NOT NULL,
    position       BIGINT NOT NULL,
    wording        TEXT NOT NULL,
    checked        BIGINT NOT NULL DEFAULT 0,
    checked_by     TEXT NOT NULL DEFAULT '',
    checked_at     TEXT NOT NULL DEFAULT '',
    translations   TEXT NOT NULL DEFAULT '',
    UNIQUE (framework_id, number)
);
CREATE INDEX risk_indicators_institution ON risk_indicators(institution_id, framework_id, position);

CREATE TABLE risk_assessments (
    id              TEXT PRIMARY KEY,
    institution_id  TEXT NOT NULL REFERENCES institutions(id),
    framework_id    TEXT NOT NULL REFERENCES risk_frameworks(id),
    framework_label TEXT NOT NULL,
    country         TEXT NOT NULL,
    period          TEXT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1,
    supersedes      TEXT NOT NULL DEFAULT '',
    correction_note TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','in_review','approved','published','superseded')),
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL DEFAULT '',
    sensitivity     BIGINT NOT NULL DEFAULT 3 CHECK (sensitivity BETWEEN 1 AND 4),
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    submitted_at    TEXT NOT NULL DEFAULT '',
    approved_by     TEXT NOT NULL DEFAULT '',
    approved_at     TEXT NOT NULL DEFAULT '',
    published_at    TEXT NOT NULL DEFAULT '',
    UNIQUE (institution_id, country, period, version)
);
CREATE INDEX risk_assessments_country ON risk_assessments(institution_id, country, period);

-- One row per indicator of the assessment, with the indicator's wording as
-- it stood when the assessment was opened.
CREATE TABLE risk_ratings (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    assessment_id  TEXT NOT NULL REFERENCES risk_assessments(id),
    factor_number  BIGINT NOT NULL,
    factor_title   TEXT NOT NULL,
    applies_to     TEXT NOT NULL,
    number         TEXT NOT NULL,
    position       BIGINT NOT NULL,
    wording        TEXT NOT NULL,
    checked        BIGINT NOT NULL DEFAULT 0,
    rating         TEXT NOT NULL DEFAULT 'not_assessed' CHECK (rating IN ('not_assessed','not_present','low','moderate','high')),
    direction      TEXT NOT NULL DEFAULT 'unknown' CHECK (direction IN ('unknown','new','worse','same','better')),
    confidence     TEXT NOT NULL DEFAULT 'medium' CHECK (confidence IN ('low','medium','high')),
    rationale      TEXT NOT NULL DEFAULT '',
    sensitivity    BIGINT NOT NULL DEFAULT 3 CHECK (sensitivity BETWEEN 1 AND 4),
    updated_by     TEXT NOT NULL DEFAULT '',
    updated_at     TEXT NOT NULL,
    UNIQUE (assessment_id, number)
);
CREATE INDEX risk_ratings_assessment ON risk_ratings(institution_id, assessment_id, position);

-- Sources behind a rating: a title, where it is, and its date.
CREATE TABLE risk_evidence (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    assessment_id  TEXT NOT NULL REFERENCES risk_assessments(id),
    rating_id      TEXT NOT NULL REFERENCES risk_ratings(id),
    title          TEXT NOT NULL,
    url            TEXT NOT NULL DEFAULT '',
    source_date    TEXT NOT NULL DEFAULT '',
    sensitivity    BIGINT NOT NULL DEFAULT 3 CHECK (sensitivity BETWEEN 1 AND 4),
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX risk_evidence_assessment ON risk_evidence(institution_id, assessment_id);

-- Items of an assessment other than ratings: what reduces risk
-- (inhibitor), dated events to watch (trigger), recommendations to the
-- State (recommendation, addressed to an authority).
CREATE TABLE risk_items (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    assessment_id  TEXT NOT NULL REFERENCES risk_assessments(id),
    kind           TEXT NOT NULL CHECK (kind IN ('inhibitor','trigger','recommendation')),
    position       BIGINT NOT NULL,
    title          TEXT NOT NULL,
    detail         TEXT NOT NULL DEFAULT '',
    item_date      TEXT NOT NULL DEFAULT '',
    addressee      TEXT NOT NULL DEFAULT '',
    strength       TEXT NOT NULL DEFAULT '',
    sensitivity    BIGINT NOT NULL DEFAULT 3 CHECK (sensitivity BETWEEN 1 AND 4),
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX risk_items_assessment ON risk_items(institution_id, assessment_id, kind, position);

-- An analyst's override of a computed level, with the reason the report
-- shows beside it. scope is 'factor:N' or 'crime:genocide' etc.
CREATE TABLE risk_overrides (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    assessment_id  TEXT NOT NULL REFERENCES risk_assessments(id),
    scope          TEXT NOT NULL,
    level          TEXT NOT NULL CHECK (level IN ('not_present','low','moderate','high')),
    reason         TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    UNIQUE (assessment_id, scope)
);
