package exchange_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"testing"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/exchange"
)

func bigBundle(b *testing.B, n int) ([]byte, ed25519.PublicKey) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	c := exchange.Content{BundleID: "bench", Sender: "Bench Institution", Level: "partners"}
	for i := 0; i < n; i++ {
		body, _ := json.Marshal(map[string]any{"summary": "An exchange of good practice on documentation, with a summary of ordinary length for a record.", "n": i})
		c.Records = append(c.Records, exchange.Record{ID: fmt.Sprintf("rec-%06d", i), Kind: "activity", Title: fmt.Sprintf("Activity %d", i), Date: "2026-05-01", Sensitivity: "public", Body: body})
	}
	data, err := exchange.Sign(c, priv)
	if err != nil {
		b.Fatal(err)
	}
	return data, pub
}

// BenchmarkVerify1000 checks the signature and levels of a 1,000-record bundle.
func BenchmarkVerify1000(b *testing.B) {
	data, _ := bigBundle(b, 1000)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		if _, err := exchange.Verify(data, func(string) (string, bool) { return "x", true }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImport1000 imports a 1,000-record bundle into SQLite: the first
// time (every record new) and again (every record unchanged).
func BenchmarkImport1000(b *testing.B) {
	data, pub := bigBundle(b, 1000)
	ctx := context.Background()
	for _, again := range []bool{false, true} {
		name := "new"
		if again {
			name = "unchanged"
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				d := dbtest.SQLite(b)
				var inst access.Institution
				err := d.Write(ctx, db.System, func(tx *db.Tx) error {
					var err error
					if inst, err = access.CreateInstitution(ctx, tx, "Receiver", "XVG"); err != nil {
						return err
					}
					_, err = exchange.Trust(ctx, tx, inst.ID, "Bench", exchange.EncodePublicKey(pub), "u")
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				imp := func() {
					if err := d.Write(ctx, inst.ID, func(tx *db.Tx) error { _, err := exchange.Import(ctx, tx, inst.ID, data); return err }); err != nil {
						b.Fatal(err)
					}
				}
				if again {
					imp()
				}
				b.StartTimer()
				imp()
			}
		})
	}
}
