package bench

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"vigil/audit"
	"vigil/db"
	"vigil/db/dbtest"
)

// auditChain fills a fresh SQLite store with one institution's chain of n
// entries, written through audit.Log.Append in batches, touching objects
// p0..p(objects-1) in turn (person.update) so that each object's history is
// n/objects entries spread over the whole chain.
func auditChain(b *testing.B, n, objects int, withObjectIndex bool) (*db.DB, string) {
	b.Helper()
	d := dbtest.SQLite(b)
	ctx := context.Background()
	const inst = "bench-inst"
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO institutions (id, name, country_code, created_at) VALUES (?, 'Bench Office', 'XVG', ?)", inst, db.Now()); err != nil {
			return err
		}
		if withObjectIndex { // as before migration 0010
			_, err := tx.Exec(ctx, "CREATE INDEX audit_log_object ON audit_log(institution_id, object_type, object_id)")
			return err
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	l := &audit.Log{}
	for start := 0; start < n; start += 5000 {
		err := d.Write(ctx, inst, func(tx *db.Tx) error {
			for i := start; i < min(n, start+5000); i++ {
				if err := l.Append(ctx, tx, audit.Entry{Institution: inst, ActorID: "u1", ActorName: "alice", IP: "192.0.2.1",
					Action: "person.update", ObjectType: "person", ObjectID: fmt.Sprint("p", i%objects), Detail: "kind=victim"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return d, inst
}

// BenchmarkAuditBrowse measures the reviewers' audit page query
// (audit.List, 101 rows, newest first) on a chain of 100,000 entries,
// without the object index that migration 0010 dropped and with it put
// back, for: no filter; one object's history (10 entries spread over the
// whole chain, so the query reads the chain to its start); one action.
//
//	go test -run '^$' -bench AuditBrowse -benchtime 20x ./bench/
func BenchmarkAuditBrowse(b *testing.B) {
	for _, indexed := range []bool{false, true} {
		name := "no-object-index"
		if indexed {
			name = "object-index"
		}
		b.Run(name, func(b *testing.B) {
			d, inst := auditChain(b, 100_000, 10_000, indexed)
			ctx := context.Background()
			for _, c := range []struct {
				name string
				f    audit.Filter
				want int
			}{
				{"all", audit.Filter{Limit: 101}, 101},
				{"object", audit.Filter{ObjectType: "person", ObjectID: "p1234", Limit: 101}, 10},
				{"action", audit.Filter{Action: "person.update", Limit: 101}, 101},
			} {
				b.Run(c.name, func(b *testing.B) {
					for b.Loop() {
						var rows []audit.Row
						err := d.Read(ctx, inst, func(tx *db.Tx) (err error) {
							rows, err = audit.List(ctx, tx, inst, c.f)
							return err
						})
						if err != nil || len(rows) != c.want {
							b.Fatalf("%d rows, want %d: %v", len(rows), c.want, err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkAuditObjectIndexWrite measures what the object index cost each
// audited write: two SQLite stores, one with the index put back, receive
// alternately the same transaction (a small row and its audit entry). It
// reports the median time per write in each (indexed-median-ns,
// unindexed-median-ns) and the index's share (index-%).
//
//	go test -run '^$' -bench AuditObjectIndexWrite -benchtime 3000x -count 3 ./bench/
func BenchmarkAuditObjectIndexWrite(b *testing.B) {
	ctx := context.Background()
	var stores [2]*db.DB
	var insts [2]string
	for k := range stores {
		stores[k], insts[k] = auditChain(b, 1000, 1000, k == 1)
		if err := stores[k].Write(ctx, db.System, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, `CREATE TABLE bench_notes (id TEXT PRIMARY KEY, institution_id TEXT NOT NULL, body TEXT NOT NULL)`)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	l := &audit.Log{}
	var spent [2][]time.Duration
	i := 0
	for b.Loop() {
		for j := range 2 {
			k := (i + j) % 2
			id := db.NewID()
			t0 := time.Now()
			err := stores[k].Write(ctx, insts[k], func(tx *db.Tx) error {
				if _, err := tx.Exec(ctx, "INSERT INTO bench_notes (id, institution_id, body) VALUES (?, ?, ?)", id, insts[k], "a short note"); err != nil {
					return err
				}
				return l.Append(ctx, tx, audit.Entry{Institution: insts[k], ActorID: "u1", ActorName: "alice", IP: "192.0.2.1",
					Action: "note.create", ObjectType: "note", ObjectID: id})
			})
			if err != nil {
				b.Fatal(err)
			}
			spent[k] = append(spent[k], time.Since(t0))
		}
		i++
	}
	var median [2]float64
	for k := range spent {
		slices.Sort(spent[k])
		median[k] = float64(spent[k][len(spent[k])/2].Nanoseconds())
	}
	b.ReportMetric(median[0], "unindexed-median-ns")
	b.ReportMetric(median[1], "indexed-median-ns")
	b.ReportMetric(100*(median[1]-median[0])/median[0], "index-%")
}
