-- Incitement assessments: one speech act (or campaign) weighed on the six
-- factors of the Rabat Plan of Action's threshold test, with the analyst's
-- conclusion on the three tiers of expression. The speaker's identity and the
-- text of the speech are encrypted with package fieldcrypt (*_enc); the
-- rest stays in clear so that trends can be counted.
CREATE TABLE incitement_assessments (
    id                  TEXT PRIMARY KEY,
    institution_id      TEXT NOT NULL REFERENCES institutions(id),
    title               TEXT NOT NULL,
    speech_date         TEXT NOT NULL,
    medium              TEXT NOT NULL,
    reach               BIGINT NOT NULL DEFAULT 0,
    audience            TEXT NOT NULL DEFAULT '',
    target_group        TEXT NOT NULL DEFAULT '',
    speaker_role        TEXT NOT NULL DEFAULT '',
    speaker_enc         TEXT NOT NULL DEFAULT '',
    text_enc            TEXT NOT NULL DEFAULT '',
    context_level       TEXT NOT NULL,
    context_note        TEXT NOT NULL DEFAULT '',
    speaker_level       TEXT NOT NULL,
    speaker_note        TEXT NOT NULL DEFAULT '',
    intent_level        TEXT NOT NULL,
    intent_note         TEXT NOT NULL DEFAULT '',
    content_level       TEXT NOT NULL,
    content_note        TEXT NOT NULL DEFAULT '',
    extent_level        TEXT NOT NULL,
    extent_note         TEXT NOT NULL DEFAULT '',
    likelihood_level    TEXT NOT NULL,
    likelihood_note     TEXT NOT NULL DEFAULT '',
    tier                TEXT NOT NULL,
    genocide_incitement BIGINT NOT NULL DEFAULT 0,
    response            TEXT NOT NULL DEFAULT '',
    indicators          TEXT NOT NULL DEFAULT '',
    sensitivity         BIGINT NOT NULL DEFAULT 4 CHECK (sensitivity BETWEEN 1 AND 4),
    created_by          TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX incitement_assessments_institution ON incitement_assessments(institution_id, speech_date);
