package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
)

func TestSignInRenewsSessionAndSignOutEndsIt(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		// A token planted before sign-in (session fixation) is not reused.
		planted := "planted-token-value"
		resp := f.do("POST", "/login", planted, url.Values{"username": {"analyst-a"}, "password": {testPassword}, "next": {"/account"}}, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
			t.Fatalf("sign-in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		var tok string
		for _, c := range resp.Cookies() {
			if c.Name == "vigil_session" && c.Value != "" {
				tok = c.Value
				if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
					t.Errorf("session cookie lacks HttpOnly/SameSite=Strict: %+v", c)
				}
			}
		}
		if tok == "" || tok == planted {
			t.Fatalf("sign-in did not issue a fresh token (got %q)", tok)
		}
		resp = f.do("GET", "/api/v1/me", tok, nil, nil)
		body := readBody(t, resp)
		if resp.StatusCode != 200 || !strings.Contains(body, `"username": "analyst-a"`) {
			t.Fatalf("me: %d %s", resp.StatusCode, body)
		}
		if strings.Contains(body, "password") || strings.Contains(body, "argon2") {
			t.Fatalf("me leaks secrets: %s", body)
		}
		// Sign-out without the CSRF token is refused and the session lives.
		resp = f.do("POST", "/logout", tok, url.Values{}, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("logout without CSRF token: %d, want 403", resp.StatusCode)
		}
		_, csrf := sessionCSRF(t, f, tok)
		resp = f.do("POST", "/logout", tok, url.Values{"csrf": {csrf}}, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout: %d", resp.StatusCode)
		}
		resp = f.do("GET", "/api/v1/me", tok, nil, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("token after sign-out: %d, want 401", resp.StatusCode)
		}
	})
}

func sessionCSRF(t *testing.T, f *fixture, tok string) (access.Session, string) {
	t.Helper()
	s, _, err := access.LoadSession(t.Context(), f.d, tok)
	if err != nil {
		t.Fatal(err)
	}
	return s, s.CSRFToken
}

func TestCSRF(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	tok, csrf := f.session(f.users[0][access.Administrator])
	form := func() url.Values {
		return url.Values{"username": {"newperson"}, "display_name": {"New Person"}, "role": {"viewer"}, "password": {"a long enough password"}}
	}
	// No token, a wrong token, another session's token: refused.
	_, otherCSRF := f.session(f.users[0][access.Analyst])
	for _, bad := range []string{"", "x", otherCSRF} {
		v := form()
		if bad != "" {
			v.Set("csrf", bad)
		}
		resp := f.do("POST", "/admin/users", tok, v, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("CSRF token %q: status %d, want 403", bad, resp.StatusCode)
		}
	}
	// Right token but a cross-site browser request: refused by origin check.
	v := form()
	v.Set("csrf", csrf)
	resp := f.do("POST", "/admin/users", tok, v, map[string]string{"Sec-Fetch-Site": "cross-site"})
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d, want 403", resp.StatusCode)
	}
	resp = f.do("POST", "/admin/users", tok, v, map[string]string{"Origin": "https://evil.example"})
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign Origin POST: %d, want 403", resp.StatusCode)
	}
	var n int
	f.d.Read(t.Context(), db.System, func(tx *db.Tx) error {
		return tx.QueryRow(t.Context(), "SELECT COUNT(*) FROM users WHERE username = 'newperson'").Scan(&n)
	})
	if n != 0 {
		t.Fatal("a refused request created the user")
	}
	// Same-site with the token: accepted.
	resp = f.do("POST", "/admin/users", tok, v, map[string]string{"Sec-Fetch-Site": "same-origin"})
	body := readBody(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(body, "Added newperson") {
		t.Fatalf("valid POST: %d", resp.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	tok, _ := f.session(f.users[0][access.Viewer])
	resp := f.do("GET", "/dashboard", tok, nil, nil)
	resp.Body.Close()
	h := resp.Header
	for k, want := range map[string]string{
		"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Frame-Options": "DENY",
	} {
		if h.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, h.Get(k), want)
		}
	}
	csp := h.Get("Content-Security-Policy")
	for _, part := range []string{"frame-ancestors 'none'", "script-src 'self'", "default-src 'none'"} {
		if !strings.Contains(csp, part) {
			t.Errorf("CSP %q lacks %q", csp, part)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Error("CSP allows inline code")
	}
	if h.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent over plain HTTP")
	}
	if h.Get("X-Request-Id") == "" {
		t.Error("no request id")
	}
}

func TestDisabledUserLosesAccessAtOnce(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	tok, _ := f.session(f.users[0][access.Documenter])
	adminTok, csrf := f.session(f.users[0][access.Administrator])
	resp := f.do("POST", "/admin/users/"+f.users[0][access.Documenter].ID, adminTok, url.Values{"csrf": {csrf}, "action": {"disable"}}, nil)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	resp = f.do("GET", "/dashboard", tok, nil, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disabled user's session still works: %d", resp.StatusCode)
	}
	// Role changes apply on the next request too.
	vtok, _ := f.session(f.users[0][access.Reviewer])
	resp = f.do("POST", "/admin/users/"+f.users[0][access.Reviewer].ID, adminTok, url.Values{"csrf": {csrf}, "action": {"role"}, "role": {"viewer"}}, nil)
	resp.Body.Close()
	resp = f.do("GET", "/audit", vtok, nil, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("demoted reviewer still reads the audit trail: %d", resp.StatusCode)
	}
}

func TestLoginThrottleOverHTTP(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	for i := 0; i < access.AccountLimit; i++ {
		resp := f.do("POST", "/login", "", url.Values{"username": {"viewer-a"}, "password": {"wrong password here"}}, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, resp.StatusCode)
		}
	}
	resp := f.do("POST", "/login", "", url.Values{"username": {"viewer-a"}, "password": {testPassword}}, nil)
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed sign-ins") {
		t.Fatalf("locked account: %d", resp.StatusCode)
	}
	// Unknown and known usernames get the same answer.
	a := f.do("POST", "/login", "", url.Values{"username": {"nobody-here"}, "password": {"wrong password here"}}, nil)
	b := f.do("POST", "/login", "", url.Values{"username": {"analyst-a"}, "password": {"wrong password here"}}, nil)
	ba, bb := readBody(t, a), readBody(t, b)
	if a.StatusCode != b.StatusCode || ba != bb {
		t.Fatal("unknown and known usernames are told apart")
	}
}
