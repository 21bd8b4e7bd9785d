package incident

import (
	"context"
	"testing"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/fieldcrypt"
	"vigil/sensitivity"
)

// BenchmarkCreatePerson measures a real write, recording a confidential
// person (five encrypted fields, one row) in its own transaction, without
// and with the audit entry that every write carries, so that the cost of
// auditing can be read off as a share of a write.
func BenchmarkCreatePerson(b *testing.B) {
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
			log := &audit.Log{}
			p := Person{Kind: "victim", Pseudonym: "V-1", Name: "A Name Of Some Length", Contact: "+000 0000 0000",
				IDDocument: "XV-00000000", Address: "Somewhere street 1, Town", Notes: "A few words of notes about the person.",
				Sensitivity: sensitivity.Confidential}
			for _, mode := range []string{"plain", "with-audit"} {
				b.Run(mode, func(b *testing.B) {
					for b.Loop() {
						err := d.Write(ctx, inst.ID, func(tx *db.Tx) error {
							c, err := CreatePerson(ctx, tx, kr, inst.ID, "bench", p)
							if err != nil || mode == "plain" {
								return err
							}
							return log.Append(ctx, tx, audit.Entry{Institution: inst.ID, ActorID: "bench", ActorName: "bench",
								IP: "127.0.0.1", Action: "person.create", ObjectType: "person", ObjectID: c.ID, Detail: "kind=victim sensitivity=confidential"})
						})
						if err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
