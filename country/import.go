package country

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/importer"
)

func init() {
	importer.Register(importer.Kind{Name: "countries",
		Summary: "country list: a directory (or files) with iso3166_m49_all.csv (name, alpha-2, alpha-3, country-code, region...) and country_aliases.csv",
		Run:     Import})
}

// Import loads the country list and aliases. Given a directory, it reads
// iso3166_m49_all.csv and, when present, country_aliases.csv from it. The
// whole import is one transaction: a failure leaves the store as it was.
func Import(ctx context.Context, d *db.DB, files []string, p *importer.Progress) (importer.Result, error) {
	var list, aliases []string
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			return importer.Result{}, err
		}
		if st.IsDir() {
			list = append(list, filepath.Join(f, "iso3166_m49_all.csv"))
			if _, err := os.Stat(filepath.Join(f, "country_aliases.csv")); err == nil {
				aliases = append(aliases, filepath.Join(f, "country_aliases.csv"))
			}
			continue
		}
		if strings.Contains(filepath.Base(f), "alias") {
			aliases = append(aliases, f)
		} else {
			list = append(list, f)
		}
	}
	res := importer.Result{Errors: []importer.RowError{}}
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		res = importer.Result{Errors: []importer.RowError{}} // fn may run twice (db.Write): start from nothing
		p.Restart()
		for _, f := range list {
			if err := importList(ctx, tx, f, &res, p); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
		}
		for _, f := range aliases {
			if err := importAliases(ctx, tx, f, &res, p); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
		}
		// The list is shared by every institution: its changes go to the
		// instance's own audit chain.
		env := importer.EnvFrom(ctx)
		return env.Audit.Append(ctx, tx, audit.Entry{Institution: access.SystemChain, ActorName: env.Actor, Action: "countries.import",
			ObjectType: "countries", Detail: fmt.Sprintf("inserted=%d updated=%d unchanged=%d rejected=%d", res.Inserted, res.Updated, res.Unchanged, res.Rejected)})
	})
	return res, err
}

func validCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

func importList(ctx context.Context, tx *db.Tx, path string, res *importer.Result, p *importer.Progress) error {
	return importer.ReadCSV(path, []string{"name", "alpha-3"}, func(row int, m map[string]string) error {
		p.Add(1)
		c := Country{Code: m["alpha-3"], Alpha2: m["alpha-2"], Name: m["name"], M49: m["country-code"], Region: m["region"], SubRegion: m["sub-region"]}
		switch {
		case !validCode(c.Code):
			res.Reject(row, "alpha-3", "%q is not three capital letters", c.Code)
			return nil
		case c.Name == "":
			res.Reject(row, "name", "empty")
			return nil
		}
		out, err := Upsert(ctx, tx, c)
		res.Count(out)
		return err
	})
}

func importAliases(ctx context.Context, tx *db.Tx, path string, res *importer.Result, p *importer.Progress) error {
	return importer.ReadCSV(path, []string{"name_in_source", "alpha3"}, func(row int, m map[string]string) error {
		p.Add(1)
		if m["alpha3"] == "" {
			res.Reject(row, "alpha3", "%q has no current code (%s)", m["name_in_source"], m["note"])
			return nil
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM countries WHERE code = ?", m["alpha3"]).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			res.Reject(row, "alpha3", "%q is not in the country list", m["alpha3"])
			return nil
		}
		out, err := AddAlias(ctx, tx, m["name_in_source"], m["alpha3"], m["source"])
		res.Count(out)
		return err
	})
}
