package access

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"vigil/db"
)

// Sealer encrypts identifying fields at rest; package fieldcrypt provides it.
// Here it protects the TOTP secrets.
type Sealer interface {
	Encrypt(inst, table, id, field, plaintext string) (string, error)
	Decrypt(inst, table, id, field, ciphertext string) (string, error)
}

// Recorder writes an audit entry inside the transaction that makes the
// change; package web wires it to the audit log.
type Recorder func(ctx context.Context, q db.Q, e Event) error

// Event is an authentication event for the audit trail.
type Event struct {
	Institution, ActorID, ActorName, IP, Action, Detail string
}

// SystemChain is the audit chain for events that belong to no institution,
// such as a failed sign-in with an unknown username.
const SystemChain = "system"

// Auth signs people in and out.
type Auth struct {
	DB     *db.DB
	Sealer Sealer
	Record Recorder
}

// ErrBadCredentials is the one answer for an unknown user, a wrong password
// or a disabled account, so that none can be told apart (ASVS 6.3.8).
var ErrBadCredentials = errors.New("the username or password is not right")

// ErrBadCode is returned for a wrong, reused or malformed TOTP code.
var ErrBadCode = errors.New("the code is not right")

func (a *Auth) record(ctx context.Context, q db.Q, e Event) error {
	if a.Record == nil {
		return nil
	}
	return a.Record(ctx, q, e)
}

// SignIn checks a username and password and starts a session. When the
// account has TOTP, the session is pending until VerifyCode succeeds.
func (a *Auth) SignIn(ctx context.Context, username, password, ip, agent string) (Session, User, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if len(username) > 64 || len(password) > 4*MaxPasswordLen {
		return Session{}, User{}, ErrBadCredentials
	}
	var sess Session
	var user User
	var outcome error
	now := time.Now()
	err := a.DB.Write(ctx, db.System, func(tx *db.Tx) error {
		outcome = nil // fn may run twice (db.Write): start from nothing
		for _, k := range throttleKeys(username, ip) {
			locked, err := throttled(ctx, tx, k, now)
			if err != nil {
				return err
			}
			if locked {
				outcome = ErrThrottled
				return a.record(ctx, tx, Event{Institution: SystemChain, ActorName: username, IP: ip, Action: "signin.throttled"})
			}
		}
		var hash string
		u, err := GetUserByName(ctx, tx, username)
		switch {
		case errors.Is(err, ErrNotFound):
			VerifyPassword(dummyHash(), password)
			outcome = ErrBadCredentials
		case err != nil:
			return err
		default:
			if err := tx.QueryRow(ctx, "SELECT password_hash FROM users WHERE id = ?", u.ID).Scan(&hash); err != nil {
				return err
			}
			if !VerifyPassword(hash, password) || u.Disabled {
				outcome = ErrBadCredentials
			}
		}
		if outcome != nil {
			if err := recordFailure(ctx, tx, "user:"+username, AccountLimit, now); err != nil {
				return err
			}
			if err := recordFailure(ctx, tx, "ip:"+ip, AddressLimit, now); err != nil {
				return err
			}
			chain, actor := SystemChain, ""
			if u.ID != "" {
				chain, actor = u.InstitutionID, u.ID
			}
			return a.record(ctx, tx, Event{Institution: chain, ActorID: actor, ActorName: username, IP: ip, Action: "signin.failed"})
		}
		if err := clearFailures(ctx, tx, "user:"+username); err != nil {
			return err
		}
		user = u
		sess, err = StartSession(ctx, tx, u, ip, agent, u.TOTPEnabled)
		if err != nil {
			return err
		}
		action := "signin"
		if u.TOTPEnabled {
			action = "signin.password-ok"
		}
		return a.record(ctx, tx, Event{Institution: u.InstitutionID, ActorID: u.ID, ActorName: u.Username, IP: ip, Action: action})
	})
	if err != nil {
		return Session{}, User{}, err
	}
	if outcome != nil {
		return Session{}, User{}, outcome
	}
	return sess, user, nil
}

// VerifyCode completes a pending sign-in with a TOTP code. It replaces the
// pending session with a new one (new token) so that nothing learned before
// the second factor carries over. Wrong codes count as failed sign-ins.
func (a *Auth) VerifyCode(ctx context.Context, s Session, u User, code, ip, agent string) (Session, error) {
	if !s.MFAPending {
		return s, nil
	}
	var out Session
	var outcome error
	now := time.Now()
	err := a.DB.Write(ctx, u.InstitutionID, func(tx *db.Tx) error {
		out, outcome = Session{}, nil // fn may run twice (db.Write): start from nothing
		if locked, err := throttled(ctx, tx, "user:"+u.Username, now); err != nil || locked {
			outcome = ErrThrottled
			return err
		}
		var enc string
		var last int64
		if err := tx.QueryRow(ctx, "SELECT totp_secret, totp_last_step FROM users WHERE institution_id = ? AND id = ?",
			u.InstitutionID, u.ID).Scan(&enc, &last); err != nil {
			return err
		}
		secret, err := a.Sealer.Decrypt(u.InstitutionID, "users", u.ID, "totp_secret", enc)
		if err != nil {
			return err
		}
		step := checkTOTP(secret, code, now, last)
		if step == 0 {
			outcome = ErrBadCode
			if err := recordFailure(ctx, tx, "user:"+u.Username, AccountLimit, now); err != nil {
				return err
			}
			return a.record(ctx, tx, Event{Institution: u.InstitutionID, ActorID: u.ID, ActorName: u.Username, IP: ip, Action: "signin.code-failed"})
		}
		if _, err := tx.Exec(ctx, "UPDATE users SET totp_last_step = ? WHERE id = ?", step, u.ID); err != nil {
			return err
		}
		if err := EndSession(ctx, tx, s.Token); err != nil {
			return err
		}
		if err := clearFailures(ctx, tx, "user:"+u.Username); err != nil {
			return err
		}
		out, err = StartSession(ctx, tx, u, ip, agent, false)
		if err != nil {
			return err
		}
		return a.record(ctx, tx, Event{Institution: u.InstitutionID, ActorID: u.ID, ActorName: u.Username, IP: ip, Action: "signin"})
	})
	if err != nil {
		return Session{}, err
	}
	return out, outcome
}

// SignOut ends a session.
func (a *Auth) SignOut(ctx context.Context, s Session, u User, ip string) error {
	return a.DB.Write(ctx, s.InstitutionID, func(tx *db.Tx) error {
		if err := EndSession(ctx, tx, s.Token); err != nil {
			return err
		}
		return a.record(ctx, tx, Event{Institution: u.InstitutionID, ActorID: u.ID, ActorName: u.Username, IP: ip, Action: "signout"})
	})
}

// CheckPasswordOf re-authenticates a signed-in user before a sensitive
// change (ASVS 7.5.1), without touching throttling state on success.
func (a *Auth) CheckPasswordOf(ctx context.Context, q db.Q, u User, pw string) (bool, error) {
	var hash string
	err := q.QueryRow(ctx, "SELECT password_hash FROM users WHERE institution_id = ? AND id = ?", u.InstitutionID, u.ID).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return false, ErrNotFound
	}
	if err != nil {
		return false, err
	}
	return VerifyPassword(hash, pw), nil
}

// BeginTOTP stores a new, not yet active secret and returns it so the user
// can add it to an authenticator app.
func (a *Auth) BeginTOTP(ctx context.Context, q db.Q, u User) (string, error) {
	secret := NewTOTPSecret()
	enc, err := a.Sealer.Encrypt(u.InstitutionID, "users", u.ID, "totp_secret", secret)
	if err != nil {
		return "", err
	}
	_, err = q.Exec(ctx, "UPDATE users SET totp_secret = ?, totp_enabled = 0, updated_at = ? WHERE institution_id = ? AND id = ?",
		enc, db.Now(), u.InstitutionID, u.ID)
	return secret, err
}

// ConfirmTOTP turns the second factor on once the user proves the app
// produces the right codes.
func (a *Auth) ConfirmTOTP(ctx context.Context, q db.Q, u User, code string) error {
	var enc string
	if err := q.QueryRow(ctx, "SELECT totp_secret FROM users WHERE institution_id = ? AND id = ?", u.InstitutionID, u.ID).Scan(&enc); err != nil {
		return err
	}
	if enc == "" {
		return errors.New("start TOTP enrolment first")
	}
	secret, err := a.Sealer.Decrypt(u.InstitutionID, "users", u.ID, "totp_secret", enc)
	if err != nil {
		return err
	}
	step := checkTOTP(secret, code, time.Now(), 0)
	if step == 0 {
		return ErrBadCode
	}
	_, err = q.Exec(ctx, "UPDATE users SET totp_enabled = 1, totp_last_step = ?, updated_at = ? WHERE institution_id = ? AND id = ?",
		step, db.Now(), u.InstitutionID, u.ID)
	return err
}

// DisableTOTP removes the second factor (after the caller re-checked the password).
func DisableTOTP(ctx context.Context, q db.Q, u User) error {
	_, err := q.Exec(ctx, "UPDATE users SET totp_enabled = 0, totp_secret = '', updated_at = ? WHERE institution_id = ? AND id = ?",
		db.Now(), u.InstitutionID, u.ID)
	return err
}
