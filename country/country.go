// Package country holds the reference list of countries (ISO 3166-1
// alpha-3 codes, names, UN M49 regions) and the aliases that sources such as
// UPR Info or the UN Treaty Collection use for them, and resolves a name as
// written in a source to its code. Importers of other parts use Resolver so
// that every State is keyed the same way; a name that cannot be resolved is
// reported by the importer, never dropped or guessed.
package country

import (
	"context"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"vigil/db"
)

// Country is one entry of the list.
type Country struct {
	Code, Alpha2, Name, M49, Region, SubRegion string
}

// Normalize folds a country name for matching: lower case, accents
// removed, "&" read as "and", everything but letters dropped. "Côte
// d'Ivoire" and "COTE D IVOIRE" both become "cotedivoire".
func Normalize(name string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ReplaceAll(name, "&", " and ")) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if unicode.IsLetter(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// Resolver maps names and codes to alpha-3 codes.
type Resolver struct {
	byName map[string]string
	codes  map[string]Country
}

// LoadResolver reads the list and aliases from the store.
func LoadResolver(ctx context.Context, q db.Q) (*Resolver, error) {
	r := &Resolver{byName: map[string]string{}, codes: map[string]Country{}}
	all, err := List(ctx, q)
	if err != nil {
		return nil, err
	}
	for _, c := range all {
		r.codes[c.Code] = c
		r.byName[Normalize(c.Name)] = c.Code
	}
	rows, err := q.Query(ctx, "SELECT alias, code FROM country_aliases")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a, code string
		if err := rows.Scan(&a, &code); err != nil {
			return nil, err
		}
		r.byName[a] = code
	}
	return r, rows.Err()
}

// Empty reports whether no country is loaded (the list was never imported).
func (r *Resolver) Empty() bool { return len(r.codes) == 0 }

// Resolve returns the alpha-3 code for a name or code as a source writes it.
func (r *Resolver) Resolve(name string) (string, bool) {
	s := strings.TrimSpace(name)
	if len(s) == 3 {
		if _, ok := r.codes[strings.ToUpper(s)]; ok {
			return strings.ToUpper(s), true
		}
	}
	code, ok := r.byName[Normalize(s)]
	return code, ok
}

// Get returns a country by code.
func (r *Resolver) Get(code string) (Country, bool) {
	c, ok := r.codes[strings.ToUpper(code)]
	return c, ok
}

// List reads every country, by name.
func List(ctx context.Context, q db.Q) ([]Country, error) {
	rows, err := q.Query(ctx, "SELECT code, alpha2, name, m49, region, sub_region FROM countries ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Country
	for rows.Next() {
		var c Country
		if err := rows.Scan(&c.Code, &c.Alpha2, &c.Name, &c.M49, &c.Region, &c.SubRegion); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Upsert adds or updates one country; it reports whether anything changed
// ("inserted", "updated" or "unchanged") for the import summary.
func Upsert(ctx context.Context, q db.Q, c Country) (string, error) {
	var old Country
	err := q.QueryRow(ctx, "SELECT code, alpha2, name, m49, region, sub_region FROM countries WHERE code = ?", c.Code).
		Scan(&old.Code, &old.Alpha2, &old.Name, &old.M49, &old.Region, &old.SubRegion)
	switch {
	case err == nil && old == c:
		return "unchanged", nil
	case err == nil:
		_, err = q.Exec(ctx, "UPDATE countries SET alpha2 = ?, name = ?, m49 = ?, region = ?, sub_region = ? WHERE code = ?",
			c.Alpha2, c.Name, c.M49, c.Region, c.SubRegion, c.Code)
		return "updated", err
	default:
		_, err = q.Exec(ctx, "INSERT INTO countries (code, alpha2, name, m49, region, sub_region) VALUES (?, ?, ?, ?, ?, ?)",
			c.Code, c.Alpha2, c.Name, c.M49, c.Region, c.SubRegion)
		return "inserted", err
	}
}

// AddAlias records another spelling of a country's name.
func AddAlias(ctx context.Context, q db.Q, name, code, source string) (string, error) {
	a := Normalize(name)
	var old string
	err := q.QueryRow(ctx, "SELECT code FROM country_aliases WHERE alias = ?", a).Scan(&old)
	switch {
	case err == nil && old == code:
		return "unchanged", nil
	case err == nil:
		_, err = q.Exec(ctx, "UPDATE country_aliases SET code = ?, source = ? WHERE alias = ?", code, source, a)
		return "updated", err
	default:
		_, err = q.Exec(ctx, "INSERT INTO country_aliases (alias, code, source) VALUES (?, ?, ?)", a, code, source)
		return "inserted", err
	}
}
