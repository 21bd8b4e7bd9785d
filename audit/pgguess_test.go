package audit

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vigil/db"
	"vigil/db/dbtest"
)

// Two handles on one PostgreSQL store play two processes (a server and the
// CLI, or two servers): each remembers the head it last wrote, so every
// append after the other handle's is a wrong guess. The guess must cost a
// second run of the transaction, never a forked chain or a lost or doubled
// change, and sequential use must take exactly one extra run per wrong
// guess.
func TestPostgresWrongGuessRunsTransactionAgain(t *testing.T) {
	d := dbtest.Postgres(t)
	d2 := dbtest.Open(t, d.URL)
	newStore(t, d)
	exec(t, d, "CREATE TABLE guess_notes (id TEXT PRIMARY KEY, institution_id TEXT NOT NULL)")
	key := newKey(t)
	l := &Log{Signer: key, Every: 4} // checkpoints at 4, 8...: seq 6, cut below, has none
	runs := 0
	write := func(h *db.DB, id string) {
		t.Helper()
		err := h.Write(ctx, "a", func(tx *db.Tx) error {
			runs++
			if _, err := tx.Exec(ctx, "INSERT INTO guess_notes (id, institution_id) VALUES (?, 'a')", id); err != nil {
				return err
			}
			return l.Append(ctx, tx, Entry{Institution: "a", Action: "note.create", ObjectType: "note", ObjectID: id})
		})
		if err != nil {
			t.Fatalf("write %s: %v", id, err)
		}
	}
	heads.forget()
	write(d, "n1")  // slow way: d knows no head yet
	write(d, "n2")  // fast way
	write(d2, "n3") // slow way: d2 knows no head
	if runs != 3 {
		t.Fatalf("%d runs for three writes without a wrong guess", runs)
	}
	write(d, "n4") // d guesses seq 3 after n2: taken by n3
	if runs != 5 {
		t.Fatalf("%d runs after a wrong guess, want 5", runs)
	}
	write(d, "n5")  // d learned the head from the slow run
	write(d2, "n6") // d2's guess (after n3) is wrong too
	if runs != 8 {
		t.Fatalf("%d runs, want 8", runs)
	}
	// A chain cut behind d2's back (as the tamper tests do): d2's guess
	// names an entry that is gone, the guard refuses it, and the slow run
	// places the entry after what is really there.
	exec(t, d, "DELETE FROM audit_log WHERE institution_id = 'a' AND seq = 6")
	exec(t, d, "DELETE FROM guess_notes WHERE id = 'n6'")
	write(d2, "n7")
	if runs != 10 {
		t.Fatalf("%d runs, want 10", runs)
	}

	// Both handles at once, from several goroutines.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := []*db.DB{d, d2}[g%2]
			for i := range 15 {
				id := fmt.Sprintf("g%d-%d", g, i)
				err := h.Write(ctx, "a", func(tx *db.Tx) error {
					if _, err := tx.Exec(ctx, "INSERT INTO guess_notes (id, institution_id) VALUES (?, 'a')", id); err != nil {
						return err
					}
					return l.Append(ctx, tx, Entry{Institution: "a", Action: "note.create", ObjectType: "note", ObjectID: id})
				})
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d of 90 concurrent writes failed, first: %v", len(errs), errs[0])
	}
	var notes, entries int
	if err := d.Read(ctx, db.System, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM guess_notes").Scan(&notes); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM guess_notes n JOIN audit_log l
			ON l.institution_id = 'a' AND l.action = 'note.create' AND l.object_id = n.id`).Scan(&entries)
	}); err != nil {
		t.Fatal(err)
	}
	if notes != 96 || entries != 96 {
		t.Fatalf("%d notes, %d of them with their entry: want 96 and 96 (each note once, with its one entry)", notes, entries)
	}
	if rep := mustVerify(t, d, pubOf(key)); rep.Entries != 96 || rep.Checkpoints == 0 {
		t.Fatalf("report %+v", rep)
	}
}

// One process, many goroutines, one chain: this process's lock on the
// chain makes every guess after the first write right, so no transaction
// runs twice.
func TestPostgresOneProcessNeverGuessesWrong(t *testing.T) {
	d := dbtest.Postgres(t)
	newStore(t, d)
	l := &Log{}
	heads.forget()
	appendN(t, d, l, "a", 1)
	var runs atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				if err := d.Write(ctx, "a", func(tx *db.Tx) error {
					runs.Add(1)
					return l.Append(ctx, tx, Entry{Institution: "a", Action: "x", ObjectID: fmt.Sprint(g, i)})
				}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if n := runs.Load(); n != 200 {
		t.Fatalf("%d runs for 200 writes: this process guessed wrong %d times", n, n-200)
	}
	mustVerify(t, d, nil)
}

// Transactions that append to the same two chains, in opposite orders, in
// two processes at once: the chains are locked in one order whatever the
// order of the appends, so none waits for another in a circle (which in
// one process would hang on this process's locks, and across processes
// would be a deadlock the server breaks by failing one).
func TestPostgresTwoChainsOppositeOrder(t *testing.T) {
	d := dbtest.Postgres(t)
	d2 := dbtest.Open(t, d.URL)
	newStore(t, d)
	l := &Log{}
	heads.forget()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	done := make(chan struct{})
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h, order := []*db.DB{d, d2}[g/2], []string{"a", "b"}
			if g%2 == 1 {
				order = []string{"b", "a"}
			}
			for i := range 50 {
				cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				err := h.Write(cctx, db.System, func(tx *db.Tx) error {
					for _, inst := range order {
						if err := l.Append(cctx, tx, Entry{Institution: inst, Action: "x", ObjectID: fmt.Sprint(g, i)}); err != nil {
							return err
						}
					}
					return nil
				})
				cancel()
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("writers still waiting after 60 s: a lock cycle")
	}
	if len(errs) > 0 {
		t.Fatalf("%d of 200 writes failed, first: %v", len(errs), errs[0])
	}
	if rep := mustVerify(t, d, nil); rep.Entries != 400 {
		t.Fatalf("report %+v", rep)
	}
}
