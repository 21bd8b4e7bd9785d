package web

import (
	"net/http"
	"sort"
	"sync"

	"vigil/access"
)

// route is one line of the authorization table: a method and path, and who
// may use it. A path that is not in this table does not exist (404), and a
// route lists its roles explicitly, so a new route is denied to everyone
// until someone decides who may use it.
type route struct {
	method string
	path   string
	// public routes need no sign-in; roles is then empty.
	public bool
	// roles may use the route once signed in with both factors.
	roles []access.Role
	// pending allows a session still waiting for its second factor.
	pending bool
	// stateless routes (static files, health checks) never look at the
	// session, so they cost no database read.
	stateless bool
	// api routes answer errors in JSON rather than with pages.
	api bool
	// upload routes take a multipart file as large as an evidence file;
	// every other route's body is bounded at formBody (web/middleware.go).
	upload bool
	// doc is the one-line summary the OpenAPI document gives an API route.
	doc    string
	handle func(s *Server, w http.ResponseWriter, r *http.Request)
}

var (
	everyone    = access.Roles
	staff       = access.Staff
	admins      = []access.Role{access.Administrator}
	auditors    = []access.Role{access.Administrator, access.Reviewer}
	documenters = []access.Role{access.Administrator, access.Documenter}
)

// part is a section of the product that a domain contributes to the web
// layer (risk assessment, recommendations, treaties...): its lines of the
// authorization table and its menu entries. Each part registers itself from
// an init function in its own file, so that parts do not edit one another's
// code; the table is still one table, walked whole by the tests.
type part struct {
	name   string
	order  int // menu position among parts
	routes []route
	nav    []navItem
}

var parts []part

func registerPart(p part) {
	parts = append(parts, p)
	sort.SliceStable(parts, func(i, j int) bool { return parts[i].order < parts[j].order })
}

// table is Vigil's authorization table. Tests walk all of it for every role
// and two institutions (authz_test.go).
func table() []route {
	t := coreRoutes()
	for _, p := range parts {
		t = append(t, p.routes...)
	}
	return t
}

func coreRoutes() []route {
	return []route{
		{method: "GET", path: "/{$}", public: true, handle: (*Server).home},
		{method: "GET", path: "/healthz", public: true, stateless: true, handle: (*Server).healthz},
		{method: "GET", path: "/readyz", public: true, stateless: true, handle: (*Server).readyz},
		{method: "GET", path: "/static/", public: true, stateless: true, handle: (*Server).staticFiles},
		{method: "GET", path: "/login", public: true, handle: (*Server).loginForm},
		{method: "POST", path: "/login", public: true, handle: (*Server).loginSubmit},
		{method: "GET", path: "/login/code", roles: everyone, pending: true, handle: (*Server).codeForm},
		{method: "POST", path: "/login/code", roles: everyone, pending: true, handle: (*Server).codeSubmit},
		{method: "POST", path: "/logout", roles: everyone, pending: true, handle: (*Server).logout},

		{method: "GET", path: "/dashboard", roles: everyone, handle: (*Server).dashboard},
		{method: "GET", path: "/account", roles: everyone, handle: (*Server).account},
		{method: "POST", path: "/account/password", roles: everyone, handle: (*Server).accountPassword},
		{method: "POST", path: "/account/totp/begin", roles: everyone, handle: (*Server).totpBegin},
		{method: "POST", path: "/account/totp/confirm", roles: everyone, handle: (*Server).totpConfirm},
		{method: "POST", path: "/account/totp/disable", roles: everyone, handle: (*Server).totpDisable},

		{method: "GET", path: "/admin/users", roles: admins, handle: (*Server).usersPage},
		{method: "POST", path: "/admin/users", roles: admins, handle: (*Server).usersCreate},
		{method: "GET", path: "/admin/users/{id}", roles: admins, handle: (*Server).userPage},
		{method: "POST", path: "/admin/users/{id}", roles: admins, handle: (*Server).userUpdate},

		{method: "GET", path: "/audit", roles: auditors, handle: (*Server).auditPage},

		{method: "GET", path: "/persons", roles: everyone, handle: (*Server).personsPage},
		{method: "GET", path: "/persons/new", roles: documenters, handle: (*Server).personForm},
		{method: "POST", path: "/persons", roles: documenters, handle: (*Server).personCreate},
		{method: "GET", path: "/persons/{id}", roles: everyone, handle: (*Server).personPage},

		{method: "GET", path: "/api/v1/openapi.json", public: true, api: true, doc: "This document.", handle: (*Server).openapi},
		{method: "GET", path: "/api/v1/me", roles: everyone, api: true, doc: "The signed-in user, their clearance and the CSRF token for writes.", handle: (*Server).apiMe},
		{method: "GET", path: "/api/v1/users", roles: admins, api: true, doc: "Users of the caller's institution.", handle: (*Server).apiUsers},
		{method: "POST", path: "/api/v1/users", roles: admins, api: true, doc: "Create a user (username, display_name, role, partner_of, password).", handle: (*Server).apiUserCreate},
		{method: "GET", path: "/api/v1/users/{id}", roles: admins, api: true, doc: "One user of the caller's institution.", handle: (*Server).apiUser},
		{method: "GET", path: "/api/v1/persons", roles: everyone, api: true, doc: "Persons the caller may see, by pseudonym (no identifying fields).", handle: (*Server).apiPersons},
		{method: "GET", path: "/api/v1/persons/{id}", roles: everyone, api: true, doc: "One person with identifying fields when the caller's clearance covers it; the read is audited.", handle: (*Server).apiPerson},
		{method: "GET", path: "/api/v1/audit", roles: auditors, api: true, doc: "Audit entries, newest first; filters action, actor, type, id, offset.", handle: (*Server).apiAudit},
	}
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range table() {
		mux.Handle(rt.method+" "+rt.path, s.guard(rt))
	}
	csrf := http.NewCrossOriginProtection()
	return s.observe(s.headers(csrf.Handler(mux)))
}

// allowed reports whether the table lets role use the route at path; the
// navigation uses it so that menus never offer a page that would refuse.
func allowed(role access.Role, method, path string) bool {
	rt, ok := routeIndex()[method+" "+path]
	return ok && (rt.public || role.In(rt.roles...))
}

// routeIndex is the table by "METHOD path", built once: every page's menu
// asks allowed several times, and parts have all registered (from init)
// before the first request.
func routeIndex() map[string]route {
	routeIdxOnce.Do(func() {
		routeIdx = map[string]route{}
		for _, rt := range table() {
			routeIdx[rt.method+" "+rt.path] = rt
		}
	})
	return routeIdx
}

var (
	routeIdxOnce sync.Once
	routeIdx     map[string]route
)
