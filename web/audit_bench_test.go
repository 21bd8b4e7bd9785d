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
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/access"
	"vigil/audit"
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
			for _, mode := range []string{"plain", "with-audit"} {
				b.Run(mode, func(b *testing.B) {
					for b.Loop() {
						post(b, mode == "with-audit")
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
						post(b, audited)
						if audited {
							spent[1] = append(spent[1], time.Since(t0))
						} else {
							spent[0] = append(spent[0], time.Since(t0))
						}
					}
					i++
				}
				reportPaired(b, "request", spent)
			})
			// The entries written must still form one sound chain.
			if _, err := audit.Verify(ctx, d, key.Public().(ed25519.PublicKey)); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// reportPaired reports the mean and the median time of each kind of
// request and the share the audit entry adds to each. The median is the
// steadier figure on a shared machine: a descheduled moment or a WAL
// checkpoint lands on one request and moves the mean of its kind alone.
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
