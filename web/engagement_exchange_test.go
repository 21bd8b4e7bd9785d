package web

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/exchange"
)

// TestExchangePages: an administrator trusts a key; an analyst imports a
// bundle through the page; a tampered or unknown-key bundle is refused with
// its reason; a re-import changes nothing; the page shows who sent what.
func TestExchangePages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		pub, priv, _ := ed25519.GenerateKey(rand.Reader)
		bundle, err := exchange.Sign(exchange.Content{BundleID: "b1", Sender: "Peer Institution", Level: "partners", Records: []exchange.Record{
			{ID: "rec-1", Kind: "activity", Title: "Peer good practice on field monitoring", Sensitivity: "public", Body: json.RawMessage(`{"summary":"x"}`)},
		}}, priv)
		if err != nil {
			t.Fatal(err)
		}
		at, acsrf := f.session(f.users[0][access.Analyst])
		post := func(path, tok, csrf string, form url.Values) (int, string) {
			form.Set("csrf", csrf)
			resp := f.do("POST", path, tok, form, nil)
			return resp.StatusCode, readBody(t, resp)
		}
		if st, body := post("/engagement/exchange/import", at, acsrf, url.Values{"bundle": {string(bundle)}}); st != 400 || !strings.Contains(body, "does not trust") {
			t.Errorf("untrusted import: %d", st)
		}
		// Analysts may not trust keys.
		if st, _ := post("/engagement/exchange/keys", at, acsrf, url.Values{"name": {"Peer"}, "key": {exchange.EncodePublicKey(pub)}}); st != 403 {
			t.Errorf("analyst trusting a key: %d, want 403", st)
		}
		adm, admCSRF := f.session(f.users[0][access.Administrator])
		if st, _ := post("/engagement/exchange/keys", adm, admCSRF, url.Values{"name": {"Peer Institution"}, "key": {exchange.EncodePublicKey(pub)}}); st != 303 {
			t.Fatalf("trust: %d", st)
		}
		tampered := strings.Replace(string(bundle), "field monitoring", "field monitorinG", 1)
		if st, body := post("/engagement/exchange/import", at, acsrf, url.Values{"bundle": {tampered}}); st != 400 || !strings.Contains(body, "changed after it was signed") {
			t.Errorf("tampered import: %d", st)
		}
		for i, want := range []string{"new=1", "unchanged=1"} {
			resp := f.do("POST", "/engagement/exchange/import", at, url.Values{"csrf": {acsrf}, "bundle": {string(bundle)}}, nil)
			resp.Body.Close()
			loc, _ := url.QueryUnescape(resp.Header.Get("Location"))
			if resp.StatusCode != 303 || !strings.Contains(loc, want) {
				t.Errorf("import %d: %d %s", i, resp.StatusCode, loc)
			}
		}
		var n int
		d.Read(context.Background(), f.inst[0].ID, func(tx *db.Tx) error {
			return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM exchange_records WHERE institution_id = ?", f.inst[0].ID).Scan(&n)
		})
		if n != 1 {
			t.Errorf("%d records received, want 1", n)
		}
		resp := f.do("GET", "/engagement/exchange?saved=import&new=1&updated=0&unchanged=0", at, nil, nil)
		if body := readBody(t, resp); !strings.Contains(body, "Peer good practice on field monitoring") || !strings.Contains(body, "From Peer Institution") ||
			!strings.Contains(body, "Bundle imported: 1 new, 0 updated, 0 unchanged.") {
			t.Error("exchange page does not show what came from whom")
		}
		// A crafted link cannot put its own words in the notice.
		resp = f.do("GET", "/engagement/exchange?saved=Call+0800+to+restore+your+account", at, nil, nil)
		if body := readBody(t, resp); strings.Contains(body, "restore your account") {
			t.Error("the notice reflects text from the link")
		}
		// The other institution received nothing.
		bt, _ := f.session(f.users[1][access.Analyst])
		resp = f.do("GET", "/api/v1/engagement/exchange/records", bt, nil, nil)
		if body := readBody(t, resp); resp.StatusCode != http.StatusOK || strings.Contains(body, "rec-1") {
			t.Errorf("other institution sees received records: %d", resp.StatusCode)
		}
	})
}
