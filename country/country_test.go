package country

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"vigil/db"
	"vigil/db/dbtest"
)

const shared = "../../shared/data/iso3166"

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"Côte d'Ivoire": "cotedivoire", "COTE D IVOIRE": "cotedivoire", "Trinidad & Tobago": "trinidadandtobago",
		"Türkiye": "turkiye", "  Viet Nam ": "vietnam",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestImportSmallFileAndResolve(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "iso3166_m49_all.csv"), []byte(
			"name,alpha-2,alpha-3,country-code,region,sub-region\n"+
				"Côte d'Ivoire,CI,CIV,384,Africa,Sub-Saharan Africa\n"+
				"\"Korea, Democratic People's Republic of\",KP,PRK,408,Asia,Eastern Asia\n"+
				"Nowhere,NW,nw1,999,,\n"), 0o600)
		os.WriteFile(filepath.Join(dir, "country_aliases.csv"), []byte(
			"source,name_in_source,alpha3,iso_name,note\n"+
				"untc,Democratic People's Republic of Korea,PRK,x,\n"+
				"untc,Atlantis,ATL,x,\n"), 0o600)
		ctx := context.Background()
		res, err := Import(ctx, d, []string{dir}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Inserted != 3 || res.Rejected != 2 || len(res.Errors) != 2 || res.Errors[0].Row != 4 || res.Errors[1].Field != "alpha3" {
			t.Fatalf("result %+v", res)
		}
		again, err := Import(ctx, d, []string{dir}, nil)
		if err != nil || again.Inserted != 0 || again.Unchanged != 3 {
			t.Fatalf("second import not idempotent: %+v %v", again, err)
		}
		d.Read(ctx, db.System, func(tx *db.Tx) error {
			r, err := LoadResolver(ctx, tx)
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range map[string]string{"Democratic People's Republic of Korea": "PRK", "cote d ivoire": "CIV", "civ": "CIV"} {
				if got, ok := r.Resolve(name); !ok || got != want {
					t.Errorf("Resolve(%q) = %q, %v", name, got, ok)
				}
			}
			if _, ok := r.Resolve("Atlantis"); ok {
				t.Error("unknown name resolved")
			}
			return nil
		})
	})
}

func TestImportSharedList(t *testing.T) {
	if _, err := os.Stat(filepath.Join(shared, "iso3166_m49_all.csv")); err != nil {
		t.Skip("shared ISO 3166 data not found at " + shared)
	}
	d := dbtest.SQLite(t)
	res, err := Import(context.Background(), d, []string{shared}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// README: 249 countries and 40 alias rows, of which 3 name former States
	// or the EU (no code) and 5 repeat a spelling another source also uses.
	if res.Inserted != 249+32 || res.Unchanged != 5 || res.Rejected != 3 {
		t.Fatalf("shared list: %+v", res)
	}
}
