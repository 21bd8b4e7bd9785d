package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"vigil/access"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "home", pageData{Title: translate(current(r).Lang, "nav.home")})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.cfg.Version})
}

// readyz answers 200 only when the store answers, so a load balancer stops
// sending traffic to a server that lost its database.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		s.log.Warn("not ready", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) staticFiles(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	s.static.ServeHTTP(w, r)
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/dashboard"
	}
	return next
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if current(r).SignedIn && !current(r).Session.MFAPending {
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
		return
	}
	s.render(w, r, "login", pageData{Title: translate(current(r).Lang, "signin"), Data: safeNext(r.URL.Query().Get("next"))})
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.PostFormValue("next"))
	sess, _, err := s.auth.SignIn(r.Context(), r.PostFormValue("username"), r.PostFormValue("password"), clientIP(r), r.UserAgent())
	if err != nil {
		status, msg := http.StatusUnauthorized, access.ErrBadCredentials.Error()
		switch {
		case errors.Is(err, access.ErrThrottled):
			status, msg = http.StatusTooManyRequests, "Too many failed sign-ins for this account or address. Wait 15 minutes and try again."
		case !errors.Is(err, access.ErrBadCredentials):
			s.fail(w, r, route{}, http.StatusInternalServerError, "Sign-in is not available right now.", err)
			return
		}
		s.renderStatus(w, r, status, "login", pageData{Title: translate(current(r).Lang, "signin"), Error: msg, Data: next})
		return
	}
	// A new token at every sign-in (ASVS 7.2.4): any cookie planted before is dead.
	s.setSessionCookie(w, sess.Token)
	if sess.MFAPending {
		http.Redirect(w, r, "/login/code", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) codeForm(w http.ResponseWriter, r *http.Request) {
	if !current(r).Session.MFAPending {
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
		return
	}
	s.render(w, r, "code", pageData{Title: "Second factor"})
}

func (s *Server) codeSubmit(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	sess, err := s.auth.VerifyCode(r.Context(), c.Session, c.User, r.PostFormValue("code"), clientIP(r), r.UserAgent())
	switch {
	case errors.Is(err, access.ErrBadCode), errors.Is(err, access.ErrThrottled):
		s.renderStatus(w, r, http.StatusUnauthorized, "code", pageData{Title: "Second factor", Error: err.Error()})
		return
	case err != nil:
		s.fail(w, r, route{}, http.StatusInternalServerError, "Sign-in is not available right now.", err)
		return
	}
	s.setSessionCookie(w, sess.Token)
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	if err := s.auth.SignOut(r.Context(), c.Session, c.User, clientIP(r)); err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "Sign-out failed; close the browser to be safe.", err)
		return
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
