package engage_test

import (
	"context"
	"fmt"
	"io"
	"testing"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/engage"
	"vigil/sensitivity"
)

// BenchmarkBuildReport builds and writes the HTML report of a year with
// 1,000 activities, each with two partners and a link, on SQLite.
func BenchmarkBuildReport(b *testing.B) {
	ctx := context.Background()
	d := dbtest.SQLite(b)
	var inst access.Institution
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		var err error
		if inst, err = access.CreateInstitution(ctx, tx, "Bench", "XVG"); err != nil {
			return err
		}
		var pids []string
		for i := 0; i < 20; i++ {
			p, err := engage.CreatePartner(ctx, tx, inst.ID, "u", engage.Partner{Name: fmt.Sprintf("Partner %02d", i), Kind: engage.PartnerKinds[i%len(engage.PartnerKinds)], Sensitivity: sensitivity.Public})
			if err != nil {
				return err
			}
			pids = append(pids, p.ID)
		}
		for i := 0; i < 1000; i++ {
			_, err := engage.CreateActivity(ctx, tx, inst.ID, "u", sensitivity.Confidential, engage.Activity{Kind: engage.ActivityKinds[i%len(engage.ActivityKinds)],
				Title: fmt.Sprintf("Activity %d", i), Summary: "A summary of ordinary length for an activity of the institution.",
				StartDate: fmt.Sprintf("2026-%02d-%02d", i%12+1, i%28+1), Status: "done", Sensitivity: sensitivity.Level(i%3 + 1),
				PartnerIDs: []string{pids[i%20], pids[(i+7)%20]}, Links: []engage.Link{{Kind: "risk_factor", Ref: fmt.Sprintf("RF%d", i%14+1)}}})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := d.Read(ctx, inst.ID, func(tx *db.Tx) error {
			r, err := engage.BuildReport(ctx, tx, inst.ID, "Bench", "2026-01-01", "2026-12-31", sensitivity.Partners)
			if err != nil {
				return err
			}
			return r.WriteHTML(io.Discard)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
