-- Recommendations tracker, second step (package recommend).
--
-- The search's change tokens (table rec_search_fts_config) exist on
-- SQLite only: see 0013_recommend_followup.sqlite.sql.

-- rule names the suggestion rule (recommend/rules.go) that proposed a
-- link; empty for a link a person made by hand.
ALTER TABLE rec_risk_links ADD COLUMN rule TEXT NOT NULL DEFAULT '';

-- A suggested link that a person rejected: kept so that running the rules
-- again never proposes it a second time.
CREATE TABLE rec_risk_rejections (
    id                TEXT PRIMARY KEY,
    institution_id    TEXT NOT NULL REFERENCES institutions(id),
    recommendation_id TEXT NOT NULL REFERENCES recommendations(id),
    indicator_code    TEXT NOT NULL,
    rule              TEXT NOT NULL DEFAULT '',
    rejected_by       TEXT NOT NULL,
    sensitivity       BIGINT NOT NULL DEFAULT 3 CHECK (sensitivity BETWEEN 1 AND 4),
    created_at        TEXT NOT NULL,
    UNIQUE (institution_id, recommendation_id, indicator_code)
);

-- E-mail reminders sent about follow-up actions: one per action, due state
-- and due date, so a restart never sends the same reminder twice and a
-- changed due date gets a fresh one.
CREATE TABLE rec_reminders (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    action_id      TEXT NOT NULL REFERENCES rec_actions(id),
    due_state      TEXT NOT NULL CHECK (due_state IN ('due','overdue')),
    due_on         TEXT NOT NULL,
    recipients     BIGINT NOT NULL DEFAULT 0,
    sent_at        TEXT NOT NULL,
    UNIQUE (institution_id, action_id, due_state, due_on)
);

-- Who gets those reminders: a user of the institution, whose role decides
-- what an e-mail may tell them, and the address to write to, encrypted
-- (fieldcrypt column rec_reminder_recipients.email_enc).
CREATE TABLE rec_reminder_recipients (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    user_id        TEXT NOT NULL REFERENCES users(id),
    email_enc      TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    UNIQUE (institution_id, user_id)
);
