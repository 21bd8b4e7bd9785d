package audit

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/db"
	"vigil/db/dbtest"
)

// Test helpers. Every test store gets institutions "a" and "b".

var ctx = context.Background()

func newStore(t testing.TB, d *db.DB) {
	t.Helper()
	for _, id := range []string{"a", "b"} {
		exec(t, d, "INSERT INTO institutions (id, name, country_code, created_at) VALUES (?, ?, 'XVG', '2026-01-01T00:00:00Z')", id, "Institution "+id)
	}
}

// exec runs SQL in the system scope — how the tamper tests play an
// attacker with direct database access.
func exec(t testing.TB, d *db.DB, query string, args ...any) {
	t.Helper()
	if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, query, args...)
		return err
	}); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func appendOne(t testing.TB, d *db.DB, l *Log, e Entry) {
	t.Helper()
	if err := d.Write(ctx, e.Institution, func(tx *db.Tx) error { return l.Append(ctx, tx, e) }); err != nil {
		t.Fatal(err)
	}
}

func appendN(t testing.TB, d *db.DB, l *Log, inst string, n int) {
	t.Helper()
	for i := range n {
		appendOne(t, d, l, Entry{Institution: inst, ActorID: "u1", ActorName: "alice", IP: "192.0.2.1",
			Action: "case.update", ObjectType: "case", ObjectID: fmt.Sprintf("c%d", i%3), Detail: fmt.Sprintf("status %d", i)})
	}
}

func newKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func pubOf(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

func mustVerify(t *testing.T, d *db.DB, pub ed25519.PublicKey) Report {
	t.Helper()
	rep, err := Verify(ctx, d, pub)
	if err != nil {
		t.Fatalf("Verify: %v (report %+v)", err, rep)
	}
	return rep
}

func TestCleanChainVerifies(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		newStore(t, d)
		key := newKey(t)
		l := &Log{Signer: key, Every: 10}
		appendN(t, d, l, "a", 25)
		appendN(t, d, l, "b", 5)
		if err := l.Checkpoint(ctx, d, "a"); err != nil {
			t.Fatal(err)
		}
		if err := l.Checkpoint(ctx, d, "a"); err != nil { // same head again: kept, not duplicated
			t.Fatal(err)
		}
		rep := mustVerify(t, d, pubOf(key))
		want := Report{Chains: 2, Entries: 30, Checkpoints: 3, SignaturesChecked: true}
		if fmt.Sprint(rep) != fmt.Sprint(want) {
			t.Fatalf("report %+v, want %+v", rep, want)
		}
	})
}

func TestEmptyStoreVerifies(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		if rep := mustVerify(t, d, nil); rep.Chains != 0 || rep.Entries != 0 {
			t.Fatalf("empty store: %+v", rep)
		}
	})
}

func TestRolledBackAppendLeavesNoRow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		newStore(t, d)
		l := &Log{}
		boom := errors.New("boom")
		err := d.Write(ctx, "a", func(tx *db.Tx) error {
			if err := l.Append(ctx, tx, Entry{Institution: "a", Action: "case.delete"}); err != nil {
				return err
			}
			return boom // the audited change failed after the entry was written
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v", err)
		}
		var heads []Head
		var rows []Row
		if err := d.Read(ctx, db.System, func(tx *db.Tx) (err error) {
			if heads, err = Heads(ctx, tx); err != nil {
				return err
			}
			rows, err = List(ctx, tx, "a", Filter{})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(heads)+len(rows) != 0 {
			t.Fatalf("rolled back append left heads %v, rows %v", heads, rows)
		}
		appendOne(t, d, l, Entry{Institution: "a", Action: "case.create"})
		if rows := list(t, d, "a", Filter{}); len(rows) != 1 || rows[0].Seq != 1 {
			t.Fatalf("after rollback the chain should start at seq 1: %+v", rows)
		}
		mustVerify(t, d, nil)
	})
}

func TestInstitutionsHaveIndependentChains(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		newStore(t, d)
		l := &Log{}
		for i := range 5 {
			appendOne(t, d, l, Entry{Institution: []string{"a", "b"}[i%2], Action: "x", Detail: fmt.Sprint(i)})
		}
		a, b := list(t, d, "a", Filter{}), list(t, d, "b", Filter{})
		if len(a) != 3 || len(b) != 2 {
			t.Fatalf("a has %d entries, b %d; want 3 and 2", len(a), len(b))
		}
		for _, rs := range [][]Row{a, b} {
			first := rs[len(rs)-1]
			if first.Seq != 1 || first.PrevHash != "" {
				t.Fatalf("chain %s starts at seq %d with prev %q", first.Institution, first.Seq, first.PrevHash)
			}
			for _, r := range rs {
				if r.Institution != rs[0].Institution {
					t.Fatalf("List(%s) returned an entry of %s", rs[0].Institution, r.Institution)
				}
			}
		}
		// Damage to one chain is reported against that chain alone.
		exec(t, d, "UPDATE audit_log SET detail = 'x' WHERE institution_id = 'b' AND seq = 2")
		rep, err := Verify(ctx, d, nil)
		if err == nil || len(rep.Problems) != 1 || rep.Problems[0].Institution != "b" {
			t.Fatalf("got %v, %+v", err, rep.Problems)
		}
	})
}

func TestControlCharactersStripped(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		newStore(t, d)
		l := &Log{}
		appendOne(t, d, l, Entry{Institution: "a", ActorName: "eve\r\n2026-01-01 admin login ok",
			IP: "192.0.2.1\x00", Action: "user.\x1b[31mlogin", Detail: "a\u2028b\u202ec\td\xff"})
		r := list(t, d, "a", Filter{})[0]
		if r.ActorName != "eve2026-01-01 admin login ok" || r.IP != "192.0.2.1" || r.Action != "user.[31mlogin" || r.Detail != "abcd\uFFFD" {
			t.Fatalf("not cleaned: %q %q %q %q", r.ActorName, r.IP, r.Action, r.Detail)
		}
		mustVerify(t, d, nil)
		for _, inst := range []string{"", "*", "a\nb"} {
			if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
				return l.Append(ctx, tx, Entry{Institution: inst, Action: "x"})
			}); err == nil {
				t.Fatalf("institution %q accepted", inst)
			}
		}
	})
}

// TestConcurrentAppends checks that appends from many goroutines get one
// unbroken chain (PostgreSQL: the head row lock, including the race for the
// first entry) and that Verify never mistakes an append in flight for damage.
func TestConcurrentAppends(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		newStore(t, d)
		l := &Log{Signer: newKey(t), Every: 7}
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for g := range 8 {
			wg.Go(func() {
				for i := range 10 {
					errs <- d.Write(ctx, "a", func(tx *db.Tx) error {
						return l.Append(ctx, tx, Entry{Institution: "a", Action: "x", Detail: fmt.Sprint(g, i)})
					})
				}
			})
		}
		stop := make(chan struct{})
		verified := make(chan error, 1)
		go func() {
			for {
				select {
				case <-stop:
					verified <- nil
					return
				default:
				}
				if _, err := Verify(ctx, d, pubOf(l.Signer)); err != nil {
					verified <- err
					return
				}
			}
		}()
		wg.Wait()
		close(stop)
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := <-verified; err != nil {
			t.Fatalf("Verify during appends: %v", err)
		}
		if rep := mustVerify(t, d, pubOf(l.Signer)); rep.Entries != 80 || rep.Checkpoints != 11 {
			t.Fatalf("report %+v", rep)
		}
	})
}

func TestCheckpoint(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		newStore(t, d)
		if err := (&Log{}).Checkpoint(ctx, d, "a"); err == nil {
			t.Fatal("Checkpoint without a key succeeded")
		}
		l := &Log{Signer: newKey(t)}
		if err := l.Checkpoint(ctx, d, "a"); err != nil { // empty chain: nothing to sign
			t.Fatal(err)
		}
		appendN(t, d, l, "a", 3)
		if err := l.Checkpoint(ctx, d, "a"); err != nil {
			t.Fatal(err)
		}
		if rep := mustVerify(t, d, pubOf(l.Signer)); rep.Checkpoints != 1 {
			t.Fatalf("report %+v", rep)
		}
	})
}

func TestHashEncodingIsUnambiguous(t *testing.T) {
	r1 := record{Institution: "a", Seq: 1, ActorID: "ab", ActorName: "c", Action: "x"}
	r2 := record{Institution: "a", Seq: 1, ActorID: "a", ActorName: "bc", Action: "x"}
	if r1.computeHash() == r2.computeHash() {
		t.Fatal("moving a byte between fields kept the hash")
	}
}

func list(t testing.TB, d *db.DB, inst string, f Filter) []Row {
	t.Helper()
	var rows []Row
	if err := d.Read(ctx, inst, func(tx *db.Tx) (err error) {
		rows, err = List(ctx, tx, inst, f)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		newStore(t, d)
		l := &Log{}
		t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		for i, e := range []Entry{
			{ActorID: "u1", Action: "case.create", ObjectType: "case", ObjectID: "c1"},
			{ActorID: "u2", Action: "case.update", ObjectType: "case", ObjectID: "c1"},
			{ActorID: "u1", Action: "user.create", ObjectType: "user", ObjectID: "u9"},
			{ActorID: "u2", Action: "case.update", ObjectType: "case", ObjectID: "c2"},
		} {
			e.Institution = "a"
			// Half a second apart: a fraction that RFC3339Nano would
			// shorten, to check that range filters still order correctly.
			e.At = t0.Add(time.Duration(i) * 1500 * time.Millisecond)
			appendOne(t, d, l, e)
		}
		appendN(t, d, l, "b", 2)
		seqs := func(rows []Row) string {
			var s []string
			for _, r := range rows {
				s = append(s, fmt.Sprint(r.Seq))
			}
			return strings.Join(s, ",")
		}
		for _, c := range []struct {
			name string
			f    Filter
			want string
		}{
			{"all newest first", Filter{}, "4,3,2,1"},
			{"action", Filter{Action: "case.update"}, "4,2"},
			{"object", Filter{ObjectType: "case", ObjectID: "c1"}, "2,1"},
			{"actor", Filter{ActorID: "u1"}, "3,1"},
			{"from", Filter{From: t0.Add(1500 * time.Millisecond)}, "4,3,2"},
			{"to", Filter{To: t0.Add(3 * time.Second)}, "2,1"},
			{"range", Filter{From: t0.Add(time.Second), To: t0.Add(4 * time.Second)}, "3,2"},
			{"page", Filter{Limit: 2, Offset: 1}, "3,2"},
		} {
			if got := seqs(list(t, d, "a", c.f)); got != c.want {
				t.Errorf("%s: got seqs %s, want %s", c.name, got, c.want)
			}
		}
		if r := list(t, d, "a", Filter{Limit: 1})[0]; !r.At.Equal(t0.Add(4500*time.Millisecond)) || r.Hash == "" {
			t.Errorf("row %+v", r)
		}
	})
}

// The encoding must never change: stores hold entries hashed by every
// earlier version. The expected value was computed by the first version,
// which wrote each field to a running SHA-256.
func TestHashIsStable(t *testing.T) {
	r := record{PrevHash: "ab12", Institution: "inst-1", Seq: 42, At: "2026-03-01T12:00:00.000000000Z",
		ActorID: "u1", ActorName: "alice", IP: "192.0.2.1", Action: "case.update", ObjectType: "case", ObjectID: "c1",
		Detail: "status → closed"}
	if got, want := r.computeHash(), "121f3b52f498d1b342688c1f7c25f5ffece304b72aa18db856d9f222d27b13fc"; got != want {
		t.Fatalf("hash %s, want %s", got, want)
	}
}

// clean drops control and bidirectional-override characters, so that an
// entry reads the same wherever it is shown, and leaves everything else.
func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"person.create":             "person.create",
		"a b~!":                     "a b~!",
		"line\nbreak\ttab\x7fdel":   "linebreaktabdel",
		"évènement – ok":            "évènement – ok",
		"x\u202eevil\u2066y\u2028z": "xevilyz",
		"":                          "",
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}
