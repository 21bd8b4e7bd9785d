package access

import (
	"context"
	"encoding/base32"
	"errors"
	"testing"
	"time"

	"vigil/db"
	"vigil/db/dbtest"
)

// plainSealer stands in for fieldcrypt in these tests; it only tags values
// so that a test notices when encryption was skipped.
type plainSealer struct{}

func (plainSealer) Encrypt(inst, table, id, field, p string) (string, error) {
	return "sealed:" + p, nil
}
func (plainSealer) Decrypt(inst, table, id, field, c string) (string, error) {
	if len(c) < 7 || c[:7] != "sealed:" {
		return "", errors.New("not sealed")
	}
	return c[7:], nil
}

func setup(t *testing.T, d *db.DB) (*Auth, Institution, User) {
	t.Helper()
	ctx := context.Background()
	var in Institution
	var u User
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		var err error
		if in, err = CreateInstitution(ctx, tx, "Test Office", "XVG"); err != nil {
			return err
		}
		u, err = CreateUser(ctx, tx, in.ID, NewUser{Username: "amina", DisplayName: "Amina", Password: "correct horse battery", Role: Analyst})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var events []Event
	a := &Auth{DB: d, Sealer: plainSealer{}, Record: func(ctx context.Context, q db.Q, e Event) error { events = append(events, e); return nil }}
	return a, in, u
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !VerifyPassword(h, "correct horse battery") || VerifyPassword(h, "correct horse batterY") {
		t.Fatal("verify wrong")
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
	if VerifyPassword("$argon2id$v=19$m=0,t=0,p=0$$", "x") {
		t.Fatal("malformed hash verified")
	}
}

func TestPasswordPolicy(t *testing.T) {
	for pw, ok := range map[string]bool{
		"short": false, "aaaaaaaaaaaaaaa": false, "password1234": false, "my amina password": false,
		"correct horse battery": true, "ünïcödé lõng pässwörd": true,
	} {
		if err := CheckPassword("amina", pw); (err == nil) != ok {
			t.Errorf("CheckPassword(%q) = %v, want ok=%v", pw, err, ok)
		}
	}
}

func TestTOTPVector(t *testing.T) {
	// RFC 6238 appendix B, SHA-1, T=59s: 94287082 (last six digits below).
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))
	code, err := TOTPCode(secret, TOTPStep(time.Unix(59, 0)))
	if err != nil || code != "287082" {
		t.Fatalf("code = %s, %v", code, err)
	}
	if s := checkTOTP(secret, "287082", time.Unix(59, 0), 0); s != 1 {
		t.Fatalf("check step = %d", s)
	}
	if s := checkTOTP(secret, "287082", time.Unix(59, 0), 1); s != 0 {
		t.Fatal("replayed code accepted")
	}
}

func TestSignInAndThrottle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, _, u := setup(t, d)
		if _, _, err := a.SignIn(ctx, "amina", "wrong password!!", "10.0.0.1", "test"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("wrong password: %v", err)
		}
		if _, _, err := a.SignIn(ctx, "nobody", "wrong password!!", "10.0.0.1", "test"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("unknown user: %v", err)
		}
		s, got, err := a.SignIn(ctx, "Amina", "correct horse battery", "10.0.0.1", "test")
		if err != nil || got.ID != u.ID || s.MFAPending {
			t.Fatalf("sign-in: %v %+v", err, s)
		}
		if _, lu, err := LoadSession(ctx, d, s.Token); err != nil || lu.ID != u.ID {
			t.Fatalf("load: %v", err)
		}
		for i := 0; i < AccountLimit; i++ {
			a.SignIn(ctx, "amina", "wrong password!!", "10.0.0.2", "test")
		}
		if _, _, err := a.SignIn(ctx, "amina", "correct horse battery", "10.0.0.3", "test"); !errors.Is(err, ErrThrottled) {
			t.Fatalf("after %d failures the right password got %v, want throttled", AccountLimit, err)
		}
	})
}

func TestSessionEnds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, in, u := setup(t, d)
		s, _, err := a.SignIn(ctx, "amina", "correct horse battery", "10.0.0.1", "")
		if err != nil {
			t.Fatal(err)
		}
		// Disabling the user ends the session at once.
		if err := d.Write(ctx, in.ID, func(tx *db.Tx) error { return SetDisabled(ctx, tx, in.ID, u.ID, true) }); err != nil {
			t.Fatal(err)
		}
		if _, _, err := LoadSession(ctx, d, s.Token); !errors.Is(err, ErrNoSession) {
			t.Fatalf("session of disabled user: %v", err)
		}
		if _, _, err := a.SignIn(ctx, "amina", "correct horse battery", "10.0.0.1", ""); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("disabled user signed in: %v", err)
		}
		d.Write(ctx, in.ID, func(tx *db.Tx) error { return SetDisabled(ctx, tx, in.ID, u.ID, false) })
		// Idle timeout.
		s, _, _ = a.SignIn(ctx, "amina", "correct horse battery", "10.0.0.1", "")
		old := db.FormatTime(time.Now().Add(-IdleTimeout - time.Minute))
		d.Write(ctx, in.ID, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE sessions SET last_seen_at = ?", old)
			return err
		})
		if _, _, err := LoadSession(ctx, d, s.Token); !errors.Is(err, ErrNoSession) {
			t.Fatalf("idle session still valid: %v", err)
		}
		// Absolute timeout, even when active.
		s, _, _ = a.SignIn(ctx, "amina", "correct horse battery", "10.0.0.1", "")
		old = db.FormatTime(time.Now().Add(-AbsoluteTimeout - time.Minute))
		d.Write(ctx, in.ID, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE sessions SET created_at = ?", old)
			return err
		})
		if _, _, err := LoadSession(ctx, d, s.Token); !errors.Is(err, ErrNoSession) {
			t.Fatalf("session past absolute timeout still valid: %v", err)
		}
		// Sign-out.
		s, u2, _ := a.SignIn(ctx, "amina", "correct horse battery", "10.0.0.1", "")
		a.SignOut(ctx, s, u2, "10.0.0.1")
		if _, _, err := LoadSession(ctx, d, s.Token); !errors.Is(err, ErrNoSession) {
			t.Fatalf("signed-out session valid: %v", err)
		}
	})
}

func TestTOTPSignIn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, in, u := setup(t, d)
		var secret string
		err := d.Write(ctx, in.ID, func(tx *db.Tx) error {
			var err error
			if secret, err = a.BeginTOTP(ctx, tx, u); err != nil {
				return err
			}
			code, _ := TOTPCode(secret, TOTPStep(time.Now().Add(-30*time.Second)))
			return a.ConfirmTOTP(ctx, tx, u, code)
		})
		if err != nil {
			t.Fatal(err)
		}
		var stored string
		d.Read(ctx, in.ID, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, "SELECT totp_secret FROM users WHERE id = ?", u.ID).Scan(&stored)
		})
		if stored == secret {
			t.Fatal("TOTP secret stored in clear")
		}
		s, u2, err := a.SignIn(ctx, "amina", "correct horse battery", "10.0.0.1", "")
		if err != nil || !s.MFAPending {
			t.Fatalf("want pending session, got %v %+v", err, s)
		}
		if _, err := a.VerifyCode(ctx, s, u2, "000000", "10.0.0.1", ""); !errors.Is(err, ErrBadCode) {
			t.Fatalf("wrong code: %v", err)
		}
		code, _ := TOTPCode(secret, TOTPStep(time.Now()))
		full, err := a.VerifyCode(ctx, s, u2, code, "10.0.0.1", "")
		if err != nil || full.MFAPending || full.Token == s.Token {
			t.Fatalf("verify: %v, pending=%v renewed=%v", err, full.MFAPending, full.Token != s.Token)
		}
		if _, _, err := LoadSession(ctx, d, s.Token); !errors.Is(err, ErrNoSession) {
			t.Fatal("pending session survived second factor")
		}
		// The same code cannot be used again.
		s, u2, _ = a.SignIn(ctx, "amina", "correct horse battery", "10.0.0.1", "")
		if _, err := a.VerifyCode(ctx, s, u2, code, "10.0.0.1", ""); !errors.Is(err, ErrBadCode) {
			t.Fatalf("replayed code: %v", err)
		}
	})
}
