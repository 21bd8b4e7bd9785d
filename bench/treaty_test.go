package bench

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"vigil/access"
	"vigil/audit"
	"vigil/country"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/demo"
	"vigil/fieldcrypt"
	"vigil/treaty"
	"vigil/web"
)

// BenchmarkTreatyStateProfile measures one request for a State profile page
// (/treaties/state) on the embedded SQLite store, from the request to the
// last byte: the profile, the gap analysis, the region and world comparison
// and the SVG chart. The store holds the demo institution and, when
// ../shared/data is present, the full UNTC import (51 instruments, 5,211
// participation rows, 1,446 declarations). The target is 50 ms.
func BenchmarkTreatyStateProfile(b *testing.B) {
	ctx := context.Background()
	access.UseTestHashCost()
	d := dbtest.Open(b, "sqlite:"+filepath.Join(b.TempDir(), "vigil.db"))
	keys, log := fieldcrypt.Ephemeral(), &audit.Log{}
	info, err := demo.Seed(ctx, d, keys, log)
	if err != nil {
		b.Fatal(err)
	}
	state := "XVG"
	data, _ := filepath.Abs(filepath.Join("..", "..", "shared", "data"))
	if _, err := os.Stat(filepath.Join(data, "treaties", "instruments.csv")); err == nil {
		if _, err := country.Import(ctx, d, []string{filepath.Join(data, "iso3166")}, nil); err != nil {
			b.Fatal(err)
		}
		if _, err := treaty.Import(ctx, d, []string{filepath.Join(data, "treaties")}, treaty.ImportOptions{}, nil); err != nil {
			b.Fatal(err)
		}
		state = "FRA"
	} else {
		b.Log("../shared/data absent: measuring the demo store only")
	}
	var sess access.Session
	err = d.Write(ctx, info.InstitutionID, func(tx *db.Tx) error {
		users, err := access.ListUsers(ctx, tx, info.InstitutionID)
		if err != nil {
			return err
		}
		var u access.User
		for _, x := range users {
			if x.Username == "analyst" {
				u = x
			}
		}
		sess, err = access.StartSession(ctx, tx, u, "127.0.0.1", "bench", false)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	s, err := web.New(web.Config{DB: d, Audit: log, Keys: keys, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	for _, st := range []string{state, "XVG"} {
		b.Run(st, func(b *testing.B) {
			req, _ := http.NewRequest("GET", srv.URL+"/treaties/state?state="+st, nil)
			req.AddCookie(&http.Cookie{Name: "vigil_session", Value: sess.Token})
			for b.Loop() {
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}
