package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"vigil/access"
	"vigil/blob"
)

type ctxKey struct{}

// reqCtx is what the middleware learns about a request.
type reqCtx struct {
	ID       string
	Lang     string
	SignedIn bool
	Session  access.Session
	User     access.User
}

func current(r *http.Request) *reqCtx {
	if c, ok := r.Context().Value(ctxKey{}).(*reqCtx); ok {
		return c
	}
	return &reqCtx{Lang: "en"}
}

// statusWriter remembers the status for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = 200
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// observe gives each request an id (echoed in X-Request-Id), logs it when it
// ends, and turns a panic into a 500 without taking the server down.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [8]byte
		rand.Read(b[:])
		c := &reqCtx{ID: hex.EncodeToString(b[:]), Lang: pickLang(r)}
		w.Header().Set("X-Request-Id", c.ID)
		if l := r.URL.Query().Get("lang"); l != "" && l == c.Lang {
			// A language chosen from the footer stays chosen on the next pages.
			http.SetCookie(w, &http.Cookie{Name: "vigil_lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
				SameSite: http.SameSiteLaxMode, Secure: s.cfg.Secure, HttpOnly: true})
		}
		sw := &statusWriter{ResponseWriter: w}
		start := time.Now()
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("panic", "request_id", c.ID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if sw.status == 0 {
					http.Error(sw, "internal error", http.StatusInternalServerError)
				}
			}
			// The query string is left out: it may carry search terms about people.
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("request_id", c.ID),
				slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", sw.status),
				slog.Int("bytes", sw.bytes), slog.Duration("duration", time.Since(start)), slog.String("user", c.User.Username))
		}()
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), ctxKey{}, c)))
	})
}

// headers sets the security headers every response carries.
func (s *Server) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		if s.cfg.Secure || r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) cookieName() string {
	if s.cfg.Secure {
		return "__Host-vigil"
	}
	return "vigil_session"
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: token, Path: "/", HttpOnly: true,
		Secure: s.cfg.Secure, SameSite: http.SameSiteStrictMode})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.cfg.Secure, SameSite: http.SameSiteStrictMode})
}

// guard enforces one line of the authorization table: it loads the session,
// checks the role, and checks the CSRF token of state-changing requests.
func (s *Server) guard(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := current(r)
		if rt.stateless {
			rt.handle(s, w, r)
			return
		}
		if ck, err := r.Cookie(s.cookieName()); err == nil {
			sess, u, err := access.LoadSession(r.Context(), s.db, ck.Value)
			switch {
			case err == nil:
				c.SignedIn, c.Session, c.User = true, sess, u
			case errors.Is(err, access.ErrNoSession):
				s.clearSessionCookie(w)
			default:
				s.fail(w, r, rt, http.StatusServiceUnavailable, "The database is not answering.", err)
				return
			}
		}
		if c.SignedIn {
			// Pages that show institution data must not linger in caches (ASVS 14.3.2).
			w.Header().Set("Cache-Control", "no-store")
		}
		if !rt.public {
			if !c.SignedIn {
				if rt.api {
					s.fail(w, r, rt, http.StatusUnauthorized, "sign in first", nil)
				} else {
					http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
				}
				return
			}
			if c.Session.MFAPending && !rt.pending {
				http.Redirect(w, r, "/login/code", http.StatusSeeOther)
				return
			}
			if !c.User.Role.In(rt.roles...) {
				s.fail(w, r, rt, http.StatusForbidden, "Your role does not allow this.", nil)
				return
			}
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			limit := bodyLimit(r, c.SignedIn, rt.upload)
			if r.ContentLength > limit {
				s.fail(w, r, rt, http.StatusRequestEntityTooLarge, "The request is too large.", nil)
				return
			}
			// A body that lied about its length is cut off at the limit too.
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && c.SignedIn {
			tok := r.Header.Get("X-CSRF-Token")
			if tok == "" {
				tok = r.PostFormValue("csrf")
			}
			if subtle.ConstantTimeCompare([]byte(tok), []byte(c.Session.CSRFToken)) != 1 {
				s.fail(w, r, rt, http.StatusForbidden, "The form has expired or did not come from this site. Reload the page and try again.", nil)
				return
			}
		}
		rt.handle(s, w, r)
	})
}

// Body limits, checked before the CSRF token is parsed out of a form, so
// that a large upload is refused before it is spooled to disk (ASVS 5.2.1).
const (
	// anonymousBody bounds what a caller who is not signed in can make the
	// server read: the sign-in and second-factor forms are tiny.
	anonymousBody = 64 << 10
	// formBody bounds a signed-in form or JSON body; the largest is an
	// exchange bundle pasted into a text area (16 MiB).
	formBody = 17 << 20
	// uploadBody bounds a signed-in multipart upload to a route marked
	// upload: the largest evidence file the blob store accepts plus room
	// for the other fields.
	uploadBody = blob.MaxSize + 1<<20
)

// bodyLimit is the most a request body may hold. The large bound depends on
// the route, not on the Content-Type the caller chose, so that no other
// route can be made to spool a large body to disk.
func bodyLimit(r *http.Request, signedIn, upload bool) int64 {
	switch {
	case !signedIn:
		return anonymousBody
	case upload && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data"):
		return uploadBody
	default:
		return formBody
	}
}

// clientIP is the peer address. Behind a proxy, configure the proxy to set
// the connection's address; forwarded headers are not trusted.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// fail answers with an error page or JSON. Internal errors are logged with
// the request id and shown without detail (ASVS 16.5.1).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, rt route, status int, msg string, err error) {
	if err != nil {
		s.log.Error("request failed", "request_id", current(r).ID, "err", err)
	}
	if rt.api {
		writeJSON(w, status, map[string]string{"error": msg, "request_id": current(r).ID})
		return
	}
	s.renderStatus(w, r, status, "error", pageData{Title: http.StatusText(status), Message: msg})
}
