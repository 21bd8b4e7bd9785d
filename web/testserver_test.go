package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/fieldcrypt"
	"vigil/incident"
	"vigil/sensitivity"
)

// fixture is a running server with two institutions, each with one user in
// every role.
type fixture struct {
	t     *testing.T
	d     *db.DB
	srv   *httptest.Server
	log   *audit.Log
	keys  *fieldcrypt.Keyring
	inst  [2]access.Institution
	users [2]map[access.Role]access.User
	// person is one person per institution at partners level, so that every
	// role may open it in its own institution.
	person [2]incident.Person
	// records maps a path prefix ("/persons/") to a record of each
	// institution that an {id} route under it is tried with.
	records map[string][2]string
}

// fixtureRecord creates, inside the fixture's set-up transaction, one record
// of a part for institution inst (0 or 1), readable by every role of that
// institution (partners level), and returns the path prefix of the part's
// {id} routes and the record's id. Parts add theirs from init in their own
// _test.go file, so the authorization test opens real records of theirs.
type fixtureRecord func(ctx context.Context, tx *db.Tx, f *fixture, inst int) (prefixes []string, id string, err error)

var fixtureRecords []fixtureRecord

const testPassword = "correct horse battery staple"

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, d: d, log: &audit.Log{}, keys: fieldcrypt.Ephemeral(), records: map[string][2]string{}}
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		for i, name := range []string{"Office A", "Office B"} {
			in, err := access.CreateInstitution(ctx, tx, name, "XVG")
			if err != nil {
				return err
			}
			f.inst[i] = in
			f.users[i] = map[access.Role]access.User{}
			for _, r := range access.Roles {
				u, err := access.CreateUser(ctx, tx, in.ID, access.NewUser{Username: string(r) + "-" + string(rune('a'+i)),
					DisplayName: string(r), Role: r, Password: testPassword})
				if err != nil {
					return err
				}
				f.users[i][r] = u
			}
			p, err := incident.CreatePerson(ctx, tx, f.keys, in.ID, f.users[i][access.Documenter].ID, incident.Person{
				Kind: "witness", Pseudonym: "W-" + name, Name: "Witness of " + name, Sensitivity: sensitivity.Partners})
			if err != nil {
				return err
			}
			f.person[i] = p
		}
		for _, fr := range fixtureRecords {
			for i := range f.inst {
				prefixes, id, err := fr(ctx, tx, f, i)
				if err != nil {
					return err
				}
				for _, pre := range prefixes {
					ids := f.records[pre]
					ids[i] = id
					f.records[pre] = ids
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{DB: d, Audit: f.log, Keys: f.keys, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(s)
	t.Cleanup(f.srv.Close)
	return f
}

// session starts a session for u directly (no password hashing), returning
// the cookie token and CSRF token.
func (f *fixture) session(u access.User) (token, csrf string) {
	f.t.Helper()
	var s access.Session
	err := f.d.Write(context.Background(), u.InstitutionID, func(tx *db.Tx) error {
		var err error
		s, err = access.StartSession(context.Background(), tx, u, "127.0.0.1", "test", false)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return s.Token, s.CSRFToken
}

// do sends one request without following redirects.
func (f *fixture) do(method, path, token string, form url.Values, header map[string]string) *http.Response {
	f.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, f.srv.URL+path, body)
	if err != nil {
		f.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if token != "" {
		req.AddCookie(&http.Cookie{Name: "vigil_session", Value: token})
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp
}

func readBody(t *testing.T, r *http.Response) string {
	t.Helper()
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// browserClient follows redirects and keeps cookies, like a person would.
func (f *fixture) browserClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}
