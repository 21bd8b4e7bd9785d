// Package web serves Vigil's pages and its JSON API (/api/v1). Handlers are
// thin: they parse the request, call a domain package, and render. Every route
// is declared once, with the roles allowed to use it, in routes.go; the
// middleware here enforces that table, CSRF protection, security headers and
// request logging for all of them.
package web

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/fieldcrypt"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Config is what cmd/vigil passes in.
type Config struct {
	DB     *db.DB
	Audit  *audit.Log
	Keys   *fieldcrypt.Keyring
	Logger *slog.Logger
	// Secure means browsers reach the server over HTTPS (directly or through
	// a proxy): cookies get the Secure flag and __Host- prefix, and HSTS is sent.
	Secure bool
	// Version is shown in the footer and /healthz.
	Version string
}

// Server holds what handlers need.
type Server struct {
	cfg     Config
	db      *db.DB
	audit   *audit.Log
	auth    *access.Auth
	log     *slog.Logger
	pages   *pageSet
	static  http.Handler
	handler http.Handler
	started time.Time
}

// New builds the server and its routes.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, db: cfg.DB, audit: cfg.Audit, log: cfg.Logger, started: time.Now()}
	s.auth = &access.Auth{DB: cfg.DB, Sealer: cfg.Keys, Record: s.recordAuth}
	pages, err := loadPages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	staticFS, _ := fs.Sub(assets, "static")
	s.static = http.StripPrefix("/static/", http.FileServerFS(staticFS))
	s.handler = s.routes()
	return s, nil
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// recordAuth writes sign-in events to the audit trail.
func (s *Server) recordAuth(ctx context.Context, q db.Q, e access.Event) error {
	return s.audit.Append(ctx, q, audit.Entry{Institution: e.Institution, ActorID: e.ActorID, ActorName: e.ActorName,
		IP: e.IP, Action: e.Action, ObjectType: "session", Detail: e.Detail})
}

// record writes an audit entry for the current request's user.
func (s *Server) record(ctx context.Context, q db.Q, r *http.Request, action, objType, objID, detail string) error {
	c := current(r)
	return s.audit.Append(ctx, q, audit.Entry{Institution: c.User.InstitutionID, ActorID: c.User.ID, ActorName: c.User.Username,
		IP: clientIP(r), Action: action, ObjectType: objType, ObjectID: objID, Detail: detail})
}
