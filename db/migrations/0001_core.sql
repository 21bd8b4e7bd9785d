-- Institutions (tenants), their users, sessions, sign-in throttling and the
-- audit trail. Every row that belongs to an institution carries
-- institution_id; PostgreSQL adds row-level security on it (0001_core.postgres.sql).

CREATE TABLE institutions (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    country_code TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    institution_id  TEXT NOT NULL REFERENCES institutions(id),
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('administrator','analyst','documenter','reviewer','viewer','partner')),
    partner_of      TEXT NOT NULL DEFAULT '',
    password_hash   TEXT NOT NULL,
    totp_secret     TEXT NOT NULL DEFAULT '',
    totp_enabled    BIGINT NOT NULL DEFAULT 0,
    totp_last_step  BIGINT NOT NULL DEFAULT 0,
    disabled        BIGINT NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX users_institution ON users(institution_id);

-- Server-side sessions. The cookie holds a random token; only its SHA-256 is
-- stored, so a copy of the database cannot be replayed as a session.
CREATE TABLE sessions (
    token_hash     TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    csrf_token     TEXT NOT NULL,
    mfa_pending    BIGINT NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    last_seen_at   TEXT NOT NULL,
    ip             TEXT NOT NULL DEFAULT '',
    user_agent     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Failed sign-ins per account and per address, shared by every server.
CREATE TABLE login_throttle (
    throttle_key  TEXT PRIMARY KEY,
    failures      BIGINT NOT NULL,
    window_start  TEXT NOT NULL,
    locked_until  TEXT NOT NULL DEFAULT ''
);

-- Append-only audit trail, one hash chain per institution (the hash covers
-- the previous hash and every field; audit/hash.go gives the encoding);
-- audit_heads holds each chain's last link so that removing the newest
-- entries is caught too. WITHOUT ROWID (SQLite only; dropped on PostgreSQL)
-- stores rows in their primary-key order with no second index, which saves
-- page writes on every audited change.
CREATE TABLE audit_log (
    institution_id TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    at             TEXT NOT NULL,
    actor_id       TEXT NOT NULL,
    actor_name     TEXT NOT NULL,
    ip             TEXT NOT NULL,
    action         TEXT NOT NULL,
    object_type    TEXT NOT NULL,
    object_id      TEXT NOT NULL,
    detail         TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL,
    PRIMARY KEY (institution_id, seq)
) WITHOUT ROWID;
CREATE INDEX audit_log_object ON audit_log(institution_id, object_type, object_id);

CREATE TABLE audit_heads (
    institution_id TEXT PRIMARY KEY,
    seq            BIGINT NOT NULL,
    hash           TEXT NOT NULL
) WITHOUT ROWID;

-- Signed checkpoints: an ed25519 signature over (institution, seq, hash) at
-- intervals, so that a rewrite of the whole chain is caught as well.
CREATE TABLE audit_checkpoints (
    institution_id TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    hash           TEXT NOT NULL,
    at             TEXT NOT NULL,
    key_id         TEXT NOT NULL,
    signature      TEXT NOT NULL,
    PRIMARY KEY (institution_id, seq)
);
