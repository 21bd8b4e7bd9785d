package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/db"
	"vigil/db/dbtest"
)

// The newest entries after the last checkpoint can be cut without a trace:
// nothing else records where a chain ends. This test pins that limit down
// (docs/security.md states it) and shows CheckpointIdle closing it.
func TestTailAfterLastCheckpoint(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		newStore(t, d)
		key := newKey(t)
		l := &Log{Signer: key, Every: 5, Interval: -1}
		appendN(t, d, l, "a", 7) // checkpoint at 5
		exec(t, d, "DELETE FROM audit_log WHERE institution_id = 'a' AND seq > 5")
		if rep := mustVerify(t, d, pubOf(key)); rep.Entries != 5 {
			t.Fatalf("report %+v", rep)
		}

		heads.forget()           // a server started after the cut (see TestCutWhileRunning)
		appendN(t, d, l, "a", 2) // seqs 6 and 7 again
		n, err := l.CheckpointIdle(ctx, d)
		if err != nil || n != 1 {
			t.Fatalf("CheckpointIdle signed %d: %v", n, err)
		}
		if n, err := l.CheckpointIdle(ctx, d); err != nil || n != 0 {
			t.Fatalf("second CheckpointIdle signed %d: %v", n, err)
		}
		exec(t, d, "DELETE FROM audit_log WHERE institution_id = 'a' AND seq = 7")
		_, err = Verify(ctx, d, pubOf(key))
		if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "seq 7: checkpointed entry missing") {
			t.Fatalf("tail cut after an idle checkpoint: %v", err)
		}
	})
}

// A cut made while a server runs: on SQLite the server remembers where the
// chain ended, links its next entry there, and the cut shows as missing
// entries; on PostgreSQL the entry's guard refuses that guess, the
// transaction runs again the slow way, and the entry follows what is left
// (the cut is then caught only by a checkpoint, as after a restart).
func TestCutWhileRunning(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		newStore(t, d)
		heads.forget()
		l := &Log{}
		appendN(t, d, l, "a", 4)
		exec(t, d, "DELETE FROM audit_log WHERE institution_id = 'a' AND seq > 2")
		appendN(t, d, l, "a", 1)
		rep, err := Verify(ctx, d, nil)
		if d.Dialect == db.SQLite {
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "seq 3: seq gap: 5 follows 2 (2 entries removed)") {
				t.Fatalf("SQLite: %v (report %+v)", err, rep)
			}
		} else if err != nil || rep.Entries != 3 {
			t.Fatalf("PostgreSQL: %v (report %+v)", err, rep)
		}
	})
}

// Append signs a checkpoint when the chain has gone Interval without one,
// whatever Every says.
func TestIntervalCheckpoint(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		newStore(t, d)
		heads.forget()
		key := newKey(t)
		appendN(t, d, &Log{Signer: key, Every: 1000, Interval: -1}, "a", 3)
		appendN(t, d, &Log{Signer: key, Every: 1000, Interval: time.Nanosecond}, "a", 2)
		appendN(t, d, &Log{Signer: key, Every: 1000, Interval: time.Hour}, "a", 2)
		if rep := mustVerify(t, d, pubOf(key)); rep.Checkpoints != 2 || rep.Entries != 7 {
			t.Fatalf("report %+v, want checkpoints at seqs 4 and 5 only", rep)
		}
	})
}

// A remembered head that another writer has moved on — the CLI beside the
// server, a second handle on the same file, a bulk load's connection, a
// process that ran in between — is behind the chain, and the entry placed
// after it is refused and placed after the real head instead. A
// transaction that rolls back never moves the remembered head. On
// PostgreSQL a head that is wrong in other ways (only a cut or rewritten
// chain makes one) is refused by the entry's guard as well.
func TestStaleHeadIsReread(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		newStore(t, d)
		l := &Log{}
		appendN(t, d, l, "a", 3)
		key := chainKey(d, "a")
		stale, _ := heads.get(key)
		appendN(t, d, l, "a", 2)
		heads.put(key, stale, false) // behind: seq 4 is taken
		appendN(t, d, l, "a", 1)
		boom := errors.New("rolled back")
		for range 2 {
			err := d.Write(ctx, "a", func(tx *db.Tx) error {
				if err := l.Append(ctx, tx, Entry{Institution: "a", Action: "x"}); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatal(err)
			}
		}
		if h, _ := heads.get(key); h.Seq != 6 {
			t.Fatalf("remembered head after two rolled-back appends: seq %d, want 6", h.Seq)
		}
		appendN(t, d, l, "a", 1)
		if d.Dialect == db.Postgres {
			heads.put(key, cachedHead{Seq: 7, Hash: strings.Repeat("0", 64)}, false) // right seq, wrong hash
			appendN(t, d, l, "a", 1)
			heads.put(key, cachedHead{Seq: 40, Hash: "x"}, false) // ahead
			appendN(t, d, l, "a", 1)
		} else {
			appendN(t, d, l, "a", 2)
		}
		heads.forget() // a fresh process
		appendN(t, d, l, "a", 1)
		rows := list(t, d, "a", Filter{})
		if len(rows) != 10 || rows[0].Seq != 10 {
			t.Fatalf("%d rows, newest seq %d; want 10 and 10", len(rows), rows[0].Seq)
		}
		if rep := mustVerify(t, d, nil); rep.Entries != 10 {
			t.Fatalf("report %+v", rep)
		}
		if d.Dialect != db.SQLite {
			return
		}
		// A second handle on the same store, as the CLI beside a server,
		// and a bulk load's connection, each remembering its own head.
		d2 := dbtest.Open(t, d.URL)
		b, err := d.Bulk(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		for i := range 9 {
			e := Entry{Institution: "a", Action: "x", Detail: fmt.Sprint(i)}
			switch i % 3 {
			case 0, 1:
				appendOne(t, []*db.DB{d, d2}[i%3], l, e)
			case 2:
				if err := b.Write(ctx, "a", func(tx *db.BulkTx) error { return l.Append(ctx, tx, e) }); err != nil {
					t.Fatal(err)
				}
			}
		}
		if rep := mustVerify(t, d, nil); rep.Entries != 19 {
			t.Fatalf("report %+v", rep)
		}
	})
}

// Two transactions append to one chain at once: the second starts while the
// first holds an uncommitted entry. Whether the first commits or rolls back,
// the chain does not fork and has no gap. (On SQLite the second transaction
// waits for the first to end before it starts; on PostgreSQL both run, and
// the entries are placed at commit, the second's first.)
func TestTwoTransactionsOneChain(t *testing.T) {
	for _, commitFirst := range []bool{true, false} {
		t.Run(fmt.Sprint("first commits=", commitFirst), func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				newStore(t, d)
				l := &Log{}
				appendN(t, d, l, "a", 2)
				appended, release := make(chan struct{}), make(chan struct{})
				boom := errors.New("rolled back")
				var wg sync.WaitGroup
				var err1, err2 error
				wg.Go(func() {
					err1 = d.Write(ctx, "a", func(tx *db.Tx) error {
						if err := l.Append(ctx, tx, Entry{Institution: "a", Action: "first"}); err != nil {
							return err
						}
						close(appended)
						<-release
						if !commitFirst {
							return boom
						}
						return nil
					})
				})
				<-appended
				wg.Go(func() {
					err2 = d.Write(ctx, "a", func(tx *db.Tx) error {
						return l.Append(ctx, tx, Entry{Institution: "a", Action: "second"})
					})
				})
				time.Sleep(50 * time.Millisecond) // let the second reach its wait; the outcome must not depend on it
				close(release)
				wg.Wait()
				if err2 != nil || (commitFirst && err1 != nil) || (!commitFirst && !errors.Is(err1, boom)) {
					t.Fatalf("first: %v, second: %v", err1, err2)
				}
				rows := list(t, d, "a", Filter{})
				want := "second,first,x,x"
				if d.Dialect == db.Postgres {
					// Entries go in with the COMMIT (pgappend.go): the
					// chain holds them in the order they committed.
					want = "first,second,x,x"
				}
				if !commitFirst {
					want = "second,x,x"
				}
				var got []string
				for _, r := range rows {
					got = append(got, strings.TrimPrefix(r.Action, "case.update"))
					if r.Action == "case.update" {
						got[len(got)-1] = "x"
					}
				}
				if strings.Join(got, ",") != want {
					t.Fatalf("chain %v, want %s", got, want)
				}
				mustVerify(t, d, nil)
			})
		})
	}
}

// Stores written before migration 0010 carry a head row that Append no
// longer moves: they keep verifying as entries are added past it.
func TestOlderStoreKeepsVerifying(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		newStore(t, d)
		key := newKey(t)
		l := &Log{Signer: key, Every: 4}
		appendN(t, d, l, "a", 6)
		h := headAt(t, d, 6)
		exec(t, d, "INSERT INTO audit_heads (institution_id, seq, hash) VALUES ('a', 6, ?)", h.Hash)
		appendN(t, d, l, "a", 5)
		if rep := mustVerify(t, d, pubOf(key)); rep.Entries != 11 || rep.Checkpoints != 2 {
			t.Fatalf("report %+v", rep)
		}
	})
}

func TestHeads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		newStore(t, d)
		key := newKey(t)
		l := &Log{Signer: key, Every: 3, Interval: -1}
		appendN(t, d, l, "a", 4)
		appendN(t, d, l, "b", 3)
		var hs, unsigned []Head
		if err := d.Read(ctx, db.System, func(tx *db.Tx) (err error) {
			if hs, err = Heads(ctx, tx); err != nil {
				return err
			}
			unsigned, err = Unsigned(ctx, tx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(hs) != 2 || hs[0] != headAt(t, d, 4) || hs[1].Institution != "b" || hs[1].Seq != 3 {
			t.Fatalf("heads %+v", hs)
		}
		if len(unsigned) != 1 || unsigned[0].Institution != "a" {
			t.Fatalf("unsigned %+v", unsigned)
		}
	})
}

// RunCheckpoints signs quiet chains while it runs and once more when its
// context ends, so a server's shutdown leaves no unsigned tail.
func TestRunCheckpointsSignsAtShutdown(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		newStore(t, d)
		key := newKey(t)
		l := &Log{Signer: key, Every: 1000, Interval: -1}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		var reported []error
		go func() {
			defer close(done)
			l.RunCheckpoints(runCtx, d, time.Hour, func(err error) { reported = append(reported, err) })
		}()
		appendN(t, d, l, "a", 3)
		appendN(t, d, l, "b", 2)
		stop()
		<-done
		if len(reported) > 0 {
			t.Fatalf("reported %v", reported)
		}
		var unsigned []Head
		if err := d.Read(ctx, db.System, func(tx *db.Tx) (err error) {
			unsigned, err = Unsigned(ctx, tx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(unsigned) != 0 {
			t.Fatalf("unsigned after shutdown: %+v", unsigned)
		}
		if rep := mustVerify(t, d, pubOf(key)); rep.Checkpoints != 2 {
			t.Fatalf("report %+v", rep)
		}
	})
}
