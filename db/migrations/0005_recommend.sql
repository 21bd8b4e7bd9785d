-- Recommendations tracker (package recommend).
--
-- recommendations holds what UN mechanisms (UPR, treaty bodies, special
-- procedures, regional bodies) said to States: public documents, identical
-- for every institution of the instance. Like the country list they belong
-- to no institution (owner_institution = ''), so an instance imports the
-- 300,000 texts once and not once per tenant. The institution's own
-- recommendations (mechanism 'nhri') are the exception: owner_institution
-- names the institution, only it sees them, and their sensitivity applies
-- (UN texts are public, level 1). Everything an institution adds about a recommendation — its
-- follow-up actions, the government's account, its own independent
-- assessment and links to risk indicators — is institution-owned, so that
-- tenants never see each other's follow-up work.
--
-- num is a stable integer key for the full-text index (the FTS5 rowid on
-- SQLite); search_text is the text folded (lower case, no diacritics) in Go,
-- so both stores index the same string.
CREATE TABLE recommendations (
    id                 TEXT PRIMARY KEY,
    owner_institution  TEXT NOT NULL DEFAULT '',
    sensitivity        BIGINT NOT NULL DEFAULT 1 CHECK (sensitivity BETWEEN 1 AND 4),
    num                BIGINT NOT NULL UNIQUE,
    source             TEXT NOT NULL,
    source_key         TEXT NOT NULL,
    kind               TEXT NOT NULL DEFAULT 'recommendation' CHECK (kind IN ('recommendation','voluntary_pledge')),
    mechanism          TEXT NOT NULL CHECK (mechanism IN ('upr','treaty_body','special_procedure','regional','nhri')),
    body               TEXT NOT NULL DEFAULT '',
    state_under_review TEXT NOT NULL,
    recommending_state TEXT NOT NULL DEFAULT '',
    cycle              BIGINT NOT NULL DEFAULT 0,
    session            TEXT NOT NULL DEFAULT '',
    document_symbol    TEXT NOT NULL DEFAULT '',
    paragraph          TEXT NOT NULL DEFAULT '',
    issued_on          TEXT NOT NULL DEFAULT '',
    text               TEXT NOT NULL,
    themes             TEXT NOT NULL DEFAULT '',
    affected_persons   TEXT NOT NULL DEFAULT '',
    sdg_targets        TEXT NOT NULL DEFAULT '',
    response           TEXT NOT NULL DEFAULT 'pending' CHECK (response IN ('supported','supported_in_part','noted','pending','pledge')),
    action_category    BIGINT NOT NULL DEFAULT 0 CHECK (action_category BETWEEN 0 AND 5),
    search_text        TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    UNIQUE (source, source_key)
);
CREATE INDEX recommendations_state ON recommendations(state_under_review, cycle);

-- One row per (recommendation, theme): facet counts and the matrix by theme.
CREATE TABLE recommendation_themes (
    recommendation_id TEXT NOT NULL REFERENCES recommendations(id),
    theme             TEXT NOT NULL,
    PRIMARY KEY (recommendation_id, theme)
);
CREATE INDEX recommendation_themes_theme ON recommendation_themes(theme);

-- Follow-up actions: who in the State should do what, by when.
CREATE TABLE rec_actions (
    id                TEXT PRIMARY KEY,
    institution_id    TEXT NOT NULL REFERENCES institutions(id),
    recommendation_id TEXT NOT NULL REFERENCES recommendations(id),
    title             TEXT NOT NULL,
    responsible       TEXT NOT NULL,
    indicator         TEXT NOT NULL DEFAULT '',
    due_on            TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned','in_progress','done','dropped')),
    sensitivity       BIGINT NOT NULL DEFAULT 3 CHECK (sensitivity BETWEEN 1 AND 4),
    created_by        TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX rec_actions_institution ON rec_actions(institution_id, recommendation_id);
CREATE INDEX rec_actions_due ON rec_actions(institution_id, status, due_on);

-- Assessments of implementation. source 'government' is the State's own
-- account as the institution recorded it; 'nhri' is the institution's
-- independent assessment. They are never merged: pages show them side by side.
CREATE TABLE rec_assessments (
    id                TEXT PRIMARY KEY,
    institution_id    TEXT NOT NULL REFERENCES institutions(id),
    recommendation_id TEXT NOT NULL REFERENCES recommendations(id),
    source            TEXT NOT NULL CHECK (source IN ('government','nhri')),
    status            TEXT NOT NULL CHECK (status IN ('fully','partially','not_implemented','unknown')),
    assessed_by       TEXT NOT NULL,
    assessed_on       TEXT NOT NULL,
    evidence          TEXT NOT NULL DEFAULT '',
    sensitivity       BIGINT NOT NULL DEFAULT 3 CHECK (sensitivity BETWEEN 1 AND 4),
    created_by        TEXT NOT NULL,
    created_at        TEXT NOT NULL
);
CREATE INDEX rec_assessments_institution ON rec_assessments(institution_id, recommendation_id, source, assessed_on);

-- Links to risk-assessment indicators, by indicator code text (package risk
-- owns the indicators). confirmed_by is empty while a link is only suggested.
CREATE TABLE rec_risk_links (
    id                TEXT PRIMARY KEY,
    institution_id    TEXT NOT NULL REFERENCES institutions(id),
    recommendation_id TEXT NOT NULL REFERENCES recommendations(id),
    indicator_code    TEXT NOT NULL,
    rationale         TEXT NOT NULL DEFAULT '',
    confirmed_by      TEXT NOT NULL DEFAULT '',
    sensitivity       BIGINT NOT NULL DEFAULT 3 CHECK (sensitivity BETWEEN 1 AND 4),
    created_at        TEXT NOT NULL,
    UNIQUE (institution_id, recommendation_id, indicator_code)
);
