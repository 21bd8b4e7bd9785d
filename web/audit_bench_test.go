//go:build vigil_bench

package web

import (
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"vigil/access"
	"vigil/audit"
	"vigil/bench/paired"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/fieldcrypt"
)

// BenchmarkPersonPOST measures what the audit entry adds to a whole request:
// a documenter records a confidential person by POST /persons on a real
// HTTP server (session cookie, CSRF token, form parsing, five encrypted
// fields, redirect), with the entry as always and with it left out through
// audit.SkipForBenchmark, which exists only in builds with the vigil_bench
// tag:
//
//	go test -tags vigil_bench -run '^$' -bench PersonPOST -benchtime 2000x -count 3 ./web/
//
// "paired" alternates the two (plain first on even iterations, audited
// first on odd ones) and reports the mean time of each and the share the
// entry adds (audit-%), so both see the same load.
func BenchmarkPersonPOST(b *testing.B) {
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
			var sess access.Session
			err := d.Write(ctx, db.System, func(tx *db.Tx) error {
				in, err := access.CreateInstitution(ctx, tx, "Bench Office", "XVG")
				if err != nil {
					return err
				}
				u, err := access.CreateUser(ctx, tx, in.ID, access.NewUser{Username: "doc", DisplayName: "Documenter",
					Role: access.Documenter, Password: testPassword})
				if err != nil {
					return err
				}
				sess, err = access.StartSession(ctx, tx, u, "127.0.0.1", "bench", false)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			s, err := New(Config{DB: d, Audit: &audit.Log{Signer: key, Every: audit.DefaultEvery}, Keys: fieldcrypt.Ephemeral(),
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			srv := httptest.NewServer(s)
			defer srv.Close()
			body := url.Values{"csrf": {sess.CSRFToken}, "kind": {"victim"}, "pseudonym": {"V-1"},
				"name": {"A Name Of Some Length"}, "contact": {"+000 0000 0000"}, "id_document": {"XV-00000000"},
				"address": {"Somewhere street 1, Town"}, "notes": {"A few words of notes about the person."},
				"sex": {"unknown"}, "age_group": {"unknown"}, "sensitivity": {"confidential"}}.Encode()
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			post := func(b *testing.B, audited bool) {
				audit.SkipForBenchmark(!audited)
				defer audit.SkipForBenchmark(false)
				req, err := http.NewRequest("POST", srv.URL+"/persons", strings.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.AddCookie(&http.Cookie{Name: "vigil_session", Value: sess.Token})
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/persons/") {
					b.Fatalf("POST /persons: %s, Location %q", resp.Status, resp.Header.Get("Location"))
				}
			}
			paired.Run(b, "request", post)
			// The entries written must still form one sound chain.
			if _, err := audit.Verify(ctx, d, key.Public().(ed25519.PublicKey)); err != nil {
				b.Fatal(err)
			}
		})
	}
}
