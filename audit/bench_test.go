package audit

import (
	"fmt"
	"testing"
	"time"

	"vigil/db"
	"vigil/db/dbtest"
)

// BenchmarkWrite measures what auditing adds to an ordinary write on SQLite:
// "plain" commits one small row per transaction, "with-audit" commits the
// same row plus its audit entry (checkpoints signed every 100 entries, as by
// default). Compare ns/op of the two.
func BenchmarkWrite(b *testing.B) { benchWrite(b, dbtest.SQLite) }

// BenchmarkPostgresWrite is the same against VIGIL_TEST_POSTGRES, where every
// commit waits for the server's WAL flush.
func BenchmarkPostgresWrite(b *testing.B) { benchWrite(b, dbtest.Postgres) }

func benchWrite(b *testing.B, open func(testing.TB) *db.DB) {
	for _, withAudit := range []bool{false, true} {
		name := "plain"
		if withAudit {
			name = "with-audit"
		}
		b.Run(name, func(b *testing.B) {
			d := open(b)
			newStore(b, d)
			exec(b, d, `CREATE TABLE bench_notes (
				id TEXT PRIMARY KEY,
				institution_id TEXT NOT NULL REFERENCES institutions(id),
				body TEXT NOT NULL,
				created_at TEXT NOT NULL)`)
			l := &Log{Signer: newKey(b)}
			b.ResetTimer()
			for i := range b.N {
				id := fmt.Sprintf("n%d", i)
				err := d.Write(ctx, "a", func(tx *db.Tx) error {
					if _, err := tx.Exec(ctx, "INSERT INTO bench_notes (id, institution_id, body, created_at) VALUES (?, 'a', ?, ?)",
						id, "a short note about a meeting", time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
						return err
					}
					if !withAudit {
						return nil
					}
					return l.Append(ctx, tx, Entry{Institution: "a", ActorID: "u1", ActorName: "alice", IP: "192.0.2.1",
						Action: "note.create", ObjectType: "note", ObjectID: id})
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
