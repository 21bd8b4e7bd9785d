package bench

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/fieldcrypt"
	"vigil/web"
)

// BenchmarkSignIn measures a whole sign-in request at the production
// argon2id parameters: throttle check, user look-up, password
// verification, new session, audit entry, redirect.
func BenchmarkSignIn(b *testing.B) {
	d := dbtest.Open(b, "sqlite:"+filepath.Join(b.TempDir(), "vigil.db"))
	ctx := context.Background()
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		in, err := access.CreateInstitution(ctx, tx, "Bench Office", "XVG")
		if err != nil {
			return err
		}
		_, err = access.CreateUser(ctx, tx, in.ID, access.NewUser{Username: "bench", DisplayName: "Bench", Role: access.Analyst, Password: "correct horse battery staple"})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	s, err := web.New(web.Config{DB: d, Audit: &audit.Log{}, Keys: fieldcrypt.Ephemeral(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"username": {"bench"}, "password": {"correct horse battery staple"}}
	b.ResetTimer()
	for b.Loop() {
		resp, err := c.PostForm(srv.URL+"/login", form)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			b.Fatalf("sign-in: %d", resp.StatusCode)
		}
	}
}
