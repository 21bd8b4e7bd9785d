package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"vigil/access"
)

// pageData is what every template receives. Handlers fill Title and Data;
// render fills the rest.
type pageData struct {
	Title   string
	Message string
	Error   string
	Notice  string
	Data    any

	Lang, Dir string
	Languages any
	SignedIn  bool
	User      access.User
	CSRF      string
	Nav       []navItem
	Path      string
	Version   string
}

type navItem struct {
	Key, Href string
	Current   bool
}

// menu lists the sections in menu order: the dashboard, then each part's
// entries, then administration. An entry shows only to roles the
// authorization table lets in.
func menu() []navItem {
	m := []navItem{{Key: "nav.dashboard", Href: "/dashboard"}}
	for _, p := range parts {
		m = append(m, p.nav...)
	}
	return append(m, navItem{Key: "nav.persons", Href: "/persons"}, navItem{Key: "nav.users", Href: "/admin/users"},
		navItem{Key: "nav.audit", Href: "/audit"}, navItem{Key: "nav.account", Href: "/account"})
}

type pageSet struct{ t map[string]*template.Template }

func loadPages() (*pageSet, error) {
	funcs := template.FuncMap{
		"t":     translate,
		"lower": strings.ToLower,
		"short": shortTime,
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	ps := &pageSet{t: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(assets, f)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", f, err)
		}
		ps.t[name] = t
	}
	return ps, nil
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, d pageData) {
	s.renderStatus(w, r, http.StatusOK, name, d)
}

func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, name string, d pageData) {
	c := current(r)
	d.Lang, d.Dir, d.Languages = c.Lang, langDir(c.Lang), languages
	d.SignedIn, d.User, d.Path, d.Version = c.SignedIn && !c.Session.MFAPending, c.User, r.URL.Path, s.cfg.Version
	if c.SignedIn {
		d.CSRF = c.Session.CSRFToken
	}
	if d.SignedIn {
		for _, n := range menu() {
			if allowed(c.User.Role, "GET", n.Href) {
				n.Current = strings.HasPrefix(r.URL.Path, n.Href)
				d.Nav = append(d.Nav, n)
			}
		}
	}
	t, ok := s.pages.t[name]
	if !ok {
		http.Error(w, "missing template "+name, http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", d); err != nil {
		s.log.Error("render", "template", name, "err", err, "request_id", c.ID)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// shortTime shows a stored timestamp (text or time.Time) to the second, in UTC, without the noise of fractions.
func shortTime(v any) string {
	switch t := v.(type) {
	case time.Time:
		return t.UTC().Format("2006-01-02 15:04:05")
	case string:
		if len(t) > 19 {
			return strings.Replace(t[:19], "T", " ", 1)
		}
		return t
	}
	return fmt.Sprint(v)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
