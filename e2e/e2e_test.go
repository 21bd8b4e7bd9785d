// Package e2e drives the real server through headless Chromium the way
// people use it: each journey starts Vigil on a fresh SQLite store seeded
// with the demo institution, signs in through the sign-in page, and checks
// every page it visits with axe-core for WCAG 2.1 AA.
package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"vigil/access"
	"vigil/audit"
	"vigil/browsertest"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/demo"
	"vigil/fieldcrypt"
	"vigil/web"
)

func TestMain(m *testing.M) {
	// Demo accounts are hashed at test cost; sign-in still runs argon2id.
	access.UseTestHashCost()
	browsertest.Main(m)
}

// app is a running Vigil with the demo institution.
type app struct {
	URL  string
	DB   *db.DB
	Keys *fieldcrypt.Keyring
	Log  *audit.Log
	Demo demo.Info
}

// startApp serves Vigil on a loopback port for the length of the test.
func startApp(t *testing.T) *app {
	t.Helper()
	d := dbtest.Open(t, "sqlite:"+filepath.Join(t.TempDir(), "vigil.db"))
	a := &app{DB: d, Keys: fieldcrypt.Ephemeral(), Log: &audit.Log{}}
	info, err := demo.Seed(context.Background(), d, a.Keys, a.Log)
	if err != nil {
		t.Fatal(err)
	}
	a.Demo = info
	s, err := web.New(web.Config{DB: d, Audit: a.Log, Keys: a.Keys, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "e2e"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	a.URL = srv.URL
	return a
}

// signIn goes through the sign-in page as a demo user and checks it landed
// on the dashboard.
func signIn(t *testing.T, b *browsertest.Browser, a *app, username string) {
	t.Helper()
	b.Navigate(a.URL + "/login")
	b.SetValue("#username", username)
	b.SetValue("#password", demo.Password)
	if st := b.Submit("form[action='/login']"); st != 200 {
		t.Fatalf("sign-in as %s: status %d", username, st)
	}
	if !strings.HasSuffix(b.Location(), "/dashboard") {
		t.Fatalf("sign-in as %s landed on %s", username, b.Location())
	}
}
