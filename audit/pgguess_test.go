package audit

import (
	"fmt"
	"sync"
	"testing"

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
	// A chain cut behind d's back (as the tamper tests do): d's guess names
	// an entry that is gone, the guard refuses it, and the slow run places
	// the entry after what is really there.
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
