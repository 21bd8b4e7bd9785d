package incident

import (
	"context"
	"crypto/ed25519"
	"testing"

	"vigil/access"
	"vigil/audit"
	"vigil/bench/paired"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/fieldcrypt"
	"vigil/sensitivity"
)

// BenchmarkCreatePerson measures a real write, recording a confidential
// person (five encrypted fields, one row) in its own transaction, without
// and with the audit entry that every write carries, so that the cost of
// auditing can be read off as a share of a write. The log signs
// checkpoints as a server's does (every 100 entries, and each minute).
//
//   - plain and with-audit run one after the other, as separate
//     benchmarks; on a shared machine the load can change between them.
//   - paired alternates the two kinds of write in one loop (plain first on
//     even iterations, audited first on odd ones) and reports the mean
//     time of each (plain-ns/write, audited-ns/write) and the share the
//     entry adds (audit-%), so both see the same load and table sizes.
func BenchmarkCreatePerson(b *testing.B) {
	_, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, store := range []string{"sqlite", "postgres"} {
		b.Run(store, func(b *testing.B) {
			var d *db.DB
			if store == "sqlite" {
				d = dbtest.SQLite(b)
			} else {
				d = dbtest.Postgres(b)
			}
			ctx := context.Background()
			kr := fieldcrypt.Ephemeral()
			var inst access.Institution
			d.Write(ctx, db.System, func(tx *db.Tx) error {
				var err error
				inst, err = access.CreateInstitution(ctx, tx, "Bench Office", "XVG")
				return err
			})
			log := &audit.Log{Signer: key, Every: audit.DefaultEvery}
			p := Person{Kind: "victim", Pseudonym: "V-1", Name: "A Name Of Some Length", Contact: "+000 0000 0000",
				IDDocument: "XV-00000000", Address: "Somewhere street 1, Town", Notes: "A few words of notes about the person.",
				Sensitivity: sensitivity.Confidential}
			write := func(b *testing.B, audited bool) {
				err := d.Write(ctx, inst.ID, func(tx *db.Tx) error {
					c, err := CreatePerson(ctx, tx, kr, inst.ID, "bench", p)
					if err != nil || !audited {
						return err
					}
					return log.Append(ctx, tx, audit.Entry{Institution: inst.ID, ActorID: "bench", ActorName: "bench",
						IP: "127.0.0.1", Action: "person.create", ObjectType: "person", ObjectID: c.ID, Detail: "kind=victim sensitivity=confidential"})
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			paired.Run(b, "write", write)
		})
	}
}
