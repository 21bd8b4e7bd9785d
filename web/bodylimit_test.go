package web

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
)

// TestBodyLimits checks that oversized bodies are refused before a handler
// or the CSRF check reads them, and that nothing is written.
func TestBodyLimits(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))

	// Not signed in: the sign-in form is tiny, so 100 KiB is refused.
	resp := f.do("POST", "/login", "", url.Values{"username": {"x"}, "password": {strings.Repeat("p", 100<<10)}}, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("anonymous 100 KiB sign-in: status %d, want 413", resp.StatusCode)
	}

	// Signed in: a form over the form limit is refused even with a valid token.
	tok, csrf := f.session(f.users[0][access.Administrator])
	big := url.Values{"csrf": {csrf}, "username": {"bigform"}, "display_name": {strings.Repeat("n", formBody)},
		"role": {"viewer"}, "password": {"a long enough password"}}
	resp = f.do("POST", "/admin/users", tok, big, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("signed-in form over %d bytes: status %d, want 413", formBody, resp.StatusCode)
	}
	var n int
	f.d.Read(t.Context(), db.System, func(tx *db.Tx) error {
		return tx.QueryRow(t.Context(), "SELECT COUNT(*) FROM users WHERE username = 'bigform'").Scan(&n)
	})
	if n != 0 {
		t.Fatal("a refused request created the user")
	}

	// Under the limit the same form goes through.
	ok := url.Values{"csrf": {csrf}, "username": {"smallform"}, "display_name": {"Small"}, "role": {"viewer"}, "password": {"a long enough password"}}
	resp = f.do("POST", "/admin/users", tok, ok, nil)
	body := readBody(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(body, "Added smallform") {
		t.Fatalf("form under the limit: status %d", resp.StatusCode)
	}

	// Uploads get the evidence limit, only on upload routes and only when
	// signed in; a multipart body elsewhere gets the form limit.
	mp, _ := http.NewRequest("POST", "/x", nil)
	mp.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	if got := bodyLimit(mp, true, true); got != uploadBody {
		t.Errorf("signed-in upload limit %d, want %d", got, uploadBody)
	}
	if got := bodyLimit(mp, true, false); got != formBody {
		t.Errorf("multipart body on a route without uploads: limit %d, want %d", got, formBody)
	}
	if got := bodyLimit(mp, false, true); got != anonymousBody {
		t.Errorf("anonymous upload limit %d, want %d", got, anonymousBody)
	}
	// The routes that take files are marked, and only they.
	var uploads []string
	for _, rt := range table() {
		if rt.upload {
			uploads = append(uploads, rt.method+" "+rt.path)
		}
	}
	sort.Strings(uploads)
	if strings.Join(uploads, ",") != "POST /forecast/run,POST /incidents/{id}/evidence" {
		t.Errorf("upload routes: %v", uploads)
	}
}
