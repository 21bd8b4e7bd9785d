package fieldcrypt

import (
	"context"
	"fmt"
	"testing"

	"vigil/db"
	"vigil/db/dbtest"
)

// seedUsers inserts two institutions and users whose totp_secret is the
// given stored value, by plain SQL as the schema has it.
func seedUsers(t *testing.T, d *db.DB, users map[string][2]string) {
	t.Helper()
	ctx := context.Background()
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		for _, inst := range []string{"inst-a", "inst-b"} {
			if _, err := tx.Exec(ctx, "INSERT INTO institutions (id, name, country_code, created_at) VALUES (?, ?, 'XVG', '2026-01-01T00:00:00Z')", inst, inst); err != nil {
				return err
			}
		}
		for id, u := range users {
			if _, err := tx.Exec(ctx, `INSERT INTO users (id, institution_id, username, display_name, role, password_hash, totp_secret, created_at, updated_at)
				VALUES (?, ?, ?, ?, 'viewer', 'x', ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`, id, u[0], "user-"+id, id, u[1]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func storedSecret(t *testing.T, d *db.DB, id string) (inst, val string) {
	t.Helper()
	ctx := context.Background()
	err := d.Read(ctx, db.System, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT institution_id, totp_secret FROM users WHERE id = ?", id).Scan(&inst, &val)
	})
	if err != nil {
		t.Fatal(err)
	}
	return inst, val
}

func setSecret(t *testing.T, d *db.DB, id, val string) {
	t.Helper()
	ctx := context.Background()
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE users SET totp_secret = ? WHERE id = ?", val, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func totpResult(t *testing.T, rs []RotateResult) RotateResult {
	t.Helper()
	for _, r := range rs {
		if r.Column.String() == "users.totp_secret" {
			return r
		}
	}
	t.Fatalf("no result for users.totp_secret in %+v", rs)
	return RotateResult{}
}

func smallBatches(t *testing.T, n int) {
	old := rotateBatch
	rotateBatch = n
	t.Cleanup(func() { rotateBatch = old })
}

func TestRotate(t *testing.T) {
	smallBatches(t, 3) // several batches, one of them partial
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		oldRing := mustRing(t, key("k1", 1))
		plain := map[string]string{}
		users := map[string][2]string{}
		for i := range 8 {
			id, inst := fmt.Sprintf("u%02d", i), []string{"inst-a", "inst-b"}[i%2]
			plain[id] = fmt.Sprintf("SECRET%02dJBSWY3DPEHPK3PXP", i)
			ct, _ := oldRing.Encrypt(inst, "users", id, "totp_secret", plain[id])
			users[id] = [2]string{inst, ct}
		}
		users["u-empty"] = [2]string{"inst-a", ""}
		users["u-plain"] = [2]string{"inst-b", "LEGACYPLAINTEXT"} // from before encryption
		plain["u-plain"] = "LEGACYPLAINTEXT"
		seedUsers(t, d, users)

		ring := mustRing(t, key("k1", 1), key("k2", 2))
		calls := 0
		rs, err := Rotate(ctx, d, ring, func(int) { calls++ })
		if err != nil {
			t.Fatal(err)
		}
		r := totpResult(t, rs)
		want := RotateResult{Column: r.Column, Rotated: 8, Encrypted: 1, Current: 9}
		if fmt.Sprint(r) != fmt.Sprint(want) {
			t.Fatalf("first run: %+v, want %+v", r, want)
		}
		if calls != 3 {
			t.Errorf("progress called %d times for 9 rows in batches of 3, want 3", calls)
		}

		// Every value is now under k2 and reads back with k2 alone.
		onlyNew := mustRing(t, key("k2", 2))
		for id, pt := range plain {
			inst, ct := storedSecret(t, d, id)
			if kid, _ := KeyID(ct); kid != "k2" {
				t.Errorf("%s under key %q after rotation", id, kid)
			}
			if got, err := onlyNew.Decrypt(inst, "users", id, "totp_secret", ct); err != nil || got != pt {
				t.Errorf("%s: %q, %v", id, got, err)
			}
			if got, err := ring.Decrypt(inst, "users", id, "totp_secret", ct); err != nil || got != pt {
				t.Errorf("%s with the full ring: %q, %v", id, got, err)
			}
		}
		if _, ct := storedSecret(t, d, "u-empty"); ct != "" {
			t.Errorf("empty secret became %q", ct)
		}

		before := map[string]string{}
		for id := range plain {
			_, before[id] = storedSecret(t, d, id)
		}
		rs, err = Rotate(ctx, d, ring, nil)
		if err != nil {
			t.Fatal(err)
		}
		r = totpResult(t, rs)
		want = RotateResult{Column: r.Column, Current: 9}
		if fmt.Sprint(r) != fmt.Sprint(want) {
			t.Fatalf("second run: %+v, want %+v", r, want)
		}
		for id := range plain {
			if _, ct := storedSecret(t, d, id); ct != before[id] {
				t.Errorf("second run rewrote %s", id)
			}
		}
	})
}

func TestRotateKeepsConcurrentEdits(t *testing.T) {
	smallBatches(t, 500)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		oldRing := mustRing(t, key("k1", 1))
		ring := mustRing(t, key("k1", 1), key("k2", 2))
		users := map[string][2]string{}
		for _, id := range []string{"u1", "u2", "u3"} {
			ct, _ := oldRing.Encrypt("inst-a", "users", id, "totp_secret", "ORIGINAL-"+id)
			users[id] = [2]string{"inst-a", ct}
		}
		seedUsers(t, d, users)

		// Between Rotate's read and its write, a server that has not been
		// restarted yet (old ring) edits u1, and one that has edits u2.
		testHookBeforeWrite = func() {
			testHookBeforeWrite = nil
			ct1, _ := oldRing.Encrypt("inst-a", "users", "u1", "totp_secret", "EDITED-u1")
			setSecret(t, d, "u1", ct1)
			ct2, _ := ring.Encrypt("inst-a", "users", "u2", "totp_secret", "EDITED-u2")
			setSecret(t, d, "u2", ct2)
		}
		t.Cleanup(func() { testHookBeforeWrite = nil })

		rs, err := Rotate(ctx, d, ring, nil)
		if err != nil {
			t.Fatal(err)
		}
		r := totpResult(t, rs)
		// u3 on the first pass; u1 again on the second (it is still under
		// k1); u2 is already under k2 and left alone.
		if r.Conflicts != 2 || r.Rotated != 2 || r.Remaining != 0 || r.Current != 3 {
			t.Fatalf("result %+v, want 2 conflicts, 2 rotated, 0 remaining, 3 current", r)
		}
		for id, want := range map[string]string{"u1": "EDITED-u1", "u2": "EDITED-u2", "u3": "ORIGINAL-u3"} {
			inst, ct := storedSecret(t, d, id)
			got, err := ring.Decrypt(inst, "users", id, "totp_secret", ct)
			if err != nil || got != want {
				t.Errorf("%s = %q, %v; want %q (a concurrent edit was overwritten?)", id, got, err, want)
			}
			if kid, _ := KeyID(ct); kid != "k2" {
				t.Errorf("%s under %s, want k2", id, kid)
			}
		}
	})
}

func TestRotateLeavesUndecryptableRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		oldRing := mustRing(t, key("k1", 1))
		good, _ := oldRing.Encrypt("inst-a", "users", "u1", "totp_secret", "GOOD")
		// u2's value was copied from u1's row: it must not decrypt there.
		seedUsers(t, d, map[string][2]string{"u1": {"inst-a", good}, "u2": {"inst-a", good}})
		ring := mustRing(t, key("k1", 1), key("k2", 2))
		rs, err := Rotate(ctx, d, ring, nil)
		if err != nil {
			t.Fatal(err)
		}
		r := totpResult(t, rs)
		if r.Rotated != 1 || r.Failed != 1 || len(r.FailedIDs) != 1 || r.FailedIDs[0] != "u2" || r.Remaining != 1 || r.Done() {
			t.Fatalf("result %+v, want u1 rotated and u2 failed", r)
		}
		if _, ct := storedSecret(t, d, "u2"); ct != good {
			t.Fatal("an undecryptable value was changed")
		}
	})
}

func TestRegisterRejectsBadColumns(t *testing.T) {
	for name, c := range map[string]Column{
		"injection": {Table: "users; DROP TABLE users", IDColumn: "id", InstitutionColumn: "institution_id", Column: "x"},
		"empty":     {Table: "people", IDColumn: "", InstitutionColumn: "institution_id", Column: "x"},
		"duplicate": {Table: "users", IDColumn: "id", InstitutionColumn: "institution_id", Column: "totp_secret"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Register did not panic", name)
				}
			}()
			Register(c)
		}()
	}
}
