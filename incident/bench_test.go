package incident

import (
	"context"
	"crypto/ed25519"
	"slices"
	"testing"
	"time"

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
			for _, mode := range []string{"plain", "with-audit"} {
				b.Run(mode, func(b *testing.B) {
					for b.Loop() {
						write(b, mode == "with-audit")
					}
				})
			}
			b.Run("paired", func(b *testing.B) {
				var spent [2][]time.Duration // plain, audited
				i := 0
				for b.Loop() {
					for k := range 2 {
						audited := (i+k)%2 == 1
						t0 := time.Now()
						write(b, audited)
						if audited {
							spent[1] = append(spent[1], time.Since(t0))
						} else {
							spent[0] = append(spent[0], time.Since(t0))
						}
					}
					i++
				}
				reportPaired(b, "write", spent)
			})
		})
	}
}

// reportPaired reports the mean and the median time of each kind of
// write and the share the audit entry adds to each. The median is the
// steadier figure on a shared machine: a descheduled moment or a WAL
// checkpoint lands on one write and moves the mean of its kind alone.
func reportPaired(b *testing.B, unit string, spent [2][]time.Duration) {
	var mean, median [2]float64
	for k, ds := range spent {
		if len(ds) == 0 {
			return
		}
		var sum time.Duration
		for _, d := range ds {
			sum += d
		}
		mean[k] = float64(sum.Nanoseconds()) / float64(len(ds))
		slices.Sort(ds)
		median[k] = float64(ds[len(ds)/2].Nanoseconds())
	}
	b.ReportMetric(mean[0], "plain-ns/"+unit)
	b.ReportMetric(mean[1], "audited-ns/"+unit)
	b.ReportMetric(100*(mean[1]-mean[0])/mean[0], "audit-%")
	b.ReportMetric(median[0], "plain-median-ns")
	b.ReportMetric(median[1], "audited-median-ns")
	b.ReportMetric(100*(median[1]-median[0])/median[0], "audit-median-%")
}
