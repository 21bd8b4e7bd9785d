package demo

import (
	"context"

	"vigil/country"
	"vigil/db"
)

// The demo State is not in ISO 3166's list; XVG comes from its
// user-assigned range. Real countries arrive with `vigil import countries`.
func init() {
	Register(Seeder{Name: "countries", Order: 1, Seed: func(ctx context.Context, tx *db.Tx, env Env) error {
		if _, err := country.Upsert(ctx, tx, country.Country{Code: Country, Name: "Vangoria (fictional)", Region: "Demo", SubRegion: "Demo"}); err != nil {
			return err
		}
		_, err := country.AddAlias(ctx, tx, "Republic of Vangoria", Country, "demo")
		return err
	}})
}
