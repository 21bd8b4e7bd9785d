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

// TestAuthorizationTable walks every route of the table for every role of
// two institutions, plus anonymous callers, and checks the answer against
// the roles the table names. Routes with an {id} are tried with a record of
// the caller's own institution and with one of the other institution, which
// must look exactly like a missing record.
func TestAuthorizationTable(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		for _, rt := range table() {
			for i := range f.inst {
				other := 1 - i
				for _, role := range access.Roles {
					u := f.users[i][role]
					for _, target := range []struct {
						name string
						inst int
					}{{"own", i}, {"other", other}} {
						if !strings.Contains(rt.path, "{id}") && target.name == "other" {
							continue
						}
						path := concretePath(rt.path, f.idFor(rt.path, target.inst))
						tok, csrf := f.session(u)
						var form url.Values
						if rt.method == "POST" {
							form = url.Values{"csrf": {csrf}}
						}
						resp := f.do(rt.method, path, tok, form, map[string]string{"X-CSRF-Token": csrf})
						resp.Body.Close()
						got := resp.StatusCode
						allowed := rt.public || role.In(rt.roles...)
						switch {
						case !allowed && got != http.StatusForbidden:
							t.Errorf("%s %s as %s of %s: status %d, want 403", rt.method, path, role, f.inst[i].Name, got)
						case rt.public && (got == http.StatusForbidden || got >= 500):
							t.Errorf("%s %s as %s of %s (public): status %d", rt.method, path, role, f.inst[i].Name, got)
						case !rt.public && allowed && (got == http.StatusForbidden || got == http.StatusUnauthorized || got >= 500):
							t.Errorf("%s %s as %s of %s: status %d, want access", rt.method, path, role, f.inst[i].Name, got)
						case !rt.public && !rt.pending && allowed && target.name == "own" && rt.method == "GET" && got != http.StatusOK:
							t.Errorf("%s %s as %s of %s (own record): status %d, want 200", rt.method, path, role, f.inst[i].Name, got)
						case allowed && target.name == "other" && got != http.StatusNotFound:
							t.Errorf("%s %s as %s of %s reached the other institution's record: status %d, want 404", rt.method, path, role, f.inst[i].Name, got)
						}
					}
				}
			}
			// Anonymous.
			path := concretePath(rt.path, f.idFor(rt.path, 0))
			resp := f.do(rt.method, path, "", url.Values{}, nil)
			resp.Body.Close()
			if !rt.public {
				want := http.StatusSeeOther
				if rt.api {
					want = http.StatusUnauthorized
				}
				if resp.StatusCode != want {
					t.Errorf("%s %s anonymous: status %d, want %d", rt.method, path, resp.StatusCode, want)
				}
			} else if resp.StatusCode >= 500 || resp.StatusCode == 403 || resp.StatusCode == 401 {
				t.Errorf("%s %s anonymous (public): status %d", rt.method, path, resp.StatusCode)
			}
		}
	})
}

// idFor picks the record an {id} route is tried with: the record a part
// registered for the longest matching path prefix, else a user.
func (f *fixture) idFor(path string, inst int) string {
	best, id := "", ""
	for pre, ids := range f.records {
		if strings.HasPrefix(path, pre) && len(pre) > len(best) {
			best, id = pre, ids[inst]
		}
	}
	if best != "" {
		return id
	}
	if strings.Contains(path, "/persons/") {
		return f.person[inst].ID
	}
	return f.users[inst][access.Viewer].ID
}

func concretePath(p, id string) string {
	p = strings.ReplaceAll(p, "{$}", "")
	p = strings.ReplaceAll(p, "{id}", id)
	if strings.HasSuffix(p, "/static/") {
		p += "vigil.css"
	}
	return p
}

// TestUnknownRouteIsDenied: a path outside the table does not exist.
func TestUnknownRouteIsDenied(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	tok, _ := f.session(f.users[0][access.Administrator])
	for _, p := range []string{"/admin", "/api/v1/secret", "/admin/users/x/y", "/debug/pprof/"} {
		resp := f.do("GET", p, tok, nil, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, resp.StatusCode)
		}
	}
	resp := f.do("DELETE", "/admin/users", tok, nil, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("DELETE /admin/users: status %d, want 405", resp.StatusCode)
	}
}

// TestCrossTenantWritesChangeNothing: an administrator of A cannot disable,
// re-role or reset a user of B through pages or the API, and lists only A.
func TestCrossTenantWritesChangeNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tok, csrf := f.session(f.users[0][access.Administrator])
		victim := f.users[1][access.Analyst]
		for _, action := range []url.Values{
			{"action": {"disable"}}, {"action": {"role"}, "role": {"viewer"}}, {"action": {"password"}, "password": {"a brand new password"}},
		} {
			action.Set("csrf", csrf)
			resp := f.do("POST", "/admin/users/"+victim.ID, tok, action, nil)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("cross-tenant %v: status %d, want 404", action["action"], resp.StatusCode)
			}
		}
		resp := f.do("GET", "/api/v1/users", tok, nil, nil)
		body := readBody(t, resp)
		if strings.Contains(body, victim.ID) || strings.Contains(body, "-b\"") || !strings.Contains(body, f.users[0][access.Viewer].ID) {
			t.Errorf("user list crosses institutions: %s", body)
		}
		var role string
		var disabled int
		d.Read(t.Context(), db.System, func(tx *db.Tx) error {
			return tx.QueryRow(t.Context(), "SELECT role, disabled FROM users WHERE id = ?", victim.ID).Scan(&role, &disabled)
		})
		if role != "analyst" || disabled != 0 {
			t.Fatalf("other institution's user changed: role=%s disabled=%d", role, disabled)
		}
		// A session token of B does not open A's data.
		tokB, _ := f.session(f.users[1][access.Administrator])
		resp = f.do("GET", "/api/v1/users/"+f.users[0][access.Viewer].ID, tokB, nil, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("B's admin read A's user: %d", resp.StatusCode)
		}
	})
}
