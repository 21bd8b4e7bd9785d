package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"vigil/db"
)

// Session lifetimes (ASVS 7.3): an idle session ends after IdleTimeout, any
// session after AbsoluteTimeout, whatever its activity.
var (
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
	// touchEvery limits last-seen writes to one per minute per session.
	touchEvery = time.Minute
)

// Session is a signed-in browser. Token is only known when the session is
// created; the store keeps its SHA-256.
type Session struct {
	Token         string
	TokenHash     string
	UserID        string
	InstitutionID string
	CSRFToken     string
	MFAPending    bool
	CreatedAt     time.Time
	LastSeenAt    time.Time
}

// ErrNoSession covers every reason a token does not open a session: unknown,
// expired, or its user disabled. Callers send the browser to sign in.
var ErrNoSession = errors.New("no valid session")

func randomToken() string {
	b := make([]byte, 32) // 256 bits from the CSPRNG (ASVS 7.2.3)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the OS random source failing is not recoverable
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// StartSession creates a session for u. mfaPending sessions can only reach
// the second-factor page.
func StartSession(ctx context.Context, q db.Q, u User, ip, agent string, mfaPending bool) (Session, error) {
	now := time.Now().UTC()
	s := Session{Token: randomToken(), UserID: u.ID, InstitutionID: u.InstitutionID, CSRFToken: randomToken(),
		MFAPending: mfaPending, CreatedAt: now, LastSeenAt: now}
	s.TokenHash = hashToken(s.Token)
	pending := 0
	if mfaPending {
		pending = 1
	}
	if len(agent) > 200 {
		agent = agent[:200]
	}
	_, err := q.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, institution_id, csrf_token, mfa_pending, created_at, last_seen_at, ip, user_agent)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.TokenHash, s.UserID, s.InstitutionID, s.CSRFToken, pending,
		db.FormatTime(now), db.FormatTime(now), ip, agent)
	return s, err
}

// LoadSession finds the session for a cookie token and its user, ending it
// when it has expired or the user is disabled. It runs in system scope
// because the institution is not known until the session is found.
func LoadSession(ctx context.Context, d *db.DB, token string) (Session, User, error) {
	if token == "" || len(token) > 100 {
		return Session{}, User{}, ErrNoSession
	}
	th := hashToken(token)
	var s Session
	var u User
	var created, seen string
	var pending int64
	err := d.Read(ctx, db.System, func(tx *db.Tx) error {
		err := tx.QueryRow(ctx, `SELECT token_hash, user_id, institution_id, csrf_token, mfa_pending, created_at, last_seen_at
			FROM sessions WHERE token_hash = ?`, th).Scan(&s.TokenHash, &s.UserID, &s.InstitutionID, &s.CSRFToken, &pending, &created, &seen)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoSession
		}
		if err != nil {
			return err
		}
		u, err = GetUser(ctx, tx, s.InstitutionID, s.UserID)
		if errors.Is(err, ErrNotFound) {
			return ErrNoSession
		}
		return err
	})
	if err != nil {
		return Session{}, User{}, err
	}
	s.Token, s.MFAPending = token, pending == 1
	s.CreatedAt, _ = db.ParseTime(created)
	s.LastSeenAt, _ = db.ParseTime(seen)
	now := time.Now()
	if u.Disabled || now.Sub(s.LastSeenAt) > IdleTimeout || now.Sub(s.CreatedAt) > AbsoluteTimeout {
		_ = d.Write(ctx, s.InstitutionID, func(tx *db.Tx) error { return EndSession(ctx, tx, token) })
		return Session{}, User{}, ErrNoSession
	}
	if now.Sub(s.LastSeenAt) > touchEvery {
		_ = d.Write(ctx, s.InstitutionID, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", db.FormatTime(now), th)
			return err
		})
	}
	return s, u, nil
}

// EndSession signs a browser out; the token is useless afterwards.
func EndSession(ctx context.Context, q db.Q, token string) error {
	_, err := q.Exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", hashToken(token))
	return err
}

// EndUserSessions signs a user out everywhere.
func EndUserSessions(ctx context.Context, q db.Q, inst, userID string) error {
	_, err := q.Exec(ctx, "DELETE FROM sessions WHERE institution_id = ? AND user_id = ?", inst, userID)
	return err
}

// PurgeSessions deletes sessions past their timeouts; serve runs it hourly.
func PurgeSessions(ctx context.Context, q db.Q) (int64, error) {
	now := time.Now()
	res, err := q.Exec(ctx, "DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?",
		db.FormatTime(now.Add(-IdleTimeout)), db.FormatTime(now.Add(-AbsoluteTimeout)))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
