package incident

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/db"
	"vigil/db/dbtest"
)

// stableIDs must give exactly the ids stableID gives: a re-import finds
// its rows by them.
func TestStableIDsMatchStableID(t *testing.T) {
	for _, origin := range []string{"ucdp-ged", "acled"} {
		idOf := stableIDs("inst-1", origin)
		for _, id := range []string{"1", "10000000", "007", "0", "9223372036854775807", "9223372036854775808", "AFG123", "", " 5", "-3"} {
			if got, want := idOf(id), stableID("inst-1", origin, id); got != want {
				t.Errorf("%s %q: stableIDs %s, stableID %s", origin, id, got, want)
			}
		}
	}
}

// TestBulkConnStoresSameRows imports the UCDP sample, repeated to 25,000
// rows (three batches, so that the parser refills a batch the writer has
// handed back), on the import's own connection (driver values, prepared
// INSERT) and through d.Write (what PostgreSQL and small writes use): every
// column of every row must be the same, with the same storage type; and the
// sample's first row must carry the fields the GED columns give.
func TestBulkConnStoresSameRows(t *testing.T) {
	if _, err := os.Stat(gedSample); err != nil {
		t.Skipf("UCDP GED sample not found at %s: %v", gedSample, err)
	}
	ctx := context.Background()
	const rows = 25_000
	file := filepath.Join(t.TempDir(), "ged.csv")
	writeGEDCopies(t, gedSample, file, rows, 300000)
	dump := func(bulk bool) []string {
		noBulkConn = !bulk
		defer func() { noBulkConn = false }()
		d := dbtest.SQLite(t)
		inst := newInst(t, d, "A")[0]
		if res := runImport(t, d, inst, "ucdp-ged", file); res.Inserted != rows {
			t.Fatalf("bulk %v: %+v", bulk, res)
		}
		var out []string
		d.Read(ctx, inst, func(tx *db.Tx) error {
			rows, err := tx.Query(ctx, `SELECT origin_id || '|' || title || '|' || description || '|' || violence || '|' || country_name || '|' ||
				region || '|' || admin1 || '|' || admin2 || '|' || place || '|' || quote(latitude) || '|' || quote(longitude) || '|' ||
				place_precision || '|' || date_start || '|' || date_end || '|' || date_precision || '|' || side_a || '|' || side_b || '|' ||
				fatalities || '|' || civilian_deaths || '|' || sources_text || '|' || status || '|' || sensitivity || '|' || row_hash || '|' ||
				origin || '|' || typeof(origin_id) || typeof(latitude) || typeof(fatalities) || typeof(sensitivity) || typeof(date_precision) || typeof(title)
				FROM events ORDER BY origin_id`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var s string
				rows.Scan(&s)
				out = append(out, s)
			}
			return rows.Err()
		})
		return out
	}
	a, b := dump(true), dump(false)
	if len(a) != rows || len(b) != rows {
		t.Fatalf("%d and %d rows", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("row %d differs:\nbulk:    %s\nd.Write: %s", i, a[i], b[i])
		}
	}
	var first string
	for _, r := range a {
		if strings.HasPrefix(r, "300000|") { // the sample's first row (UCDP id 300380) under its new id
			first = r
		}
	}
	for _, want := range []string{"Government of Syria - Syrian insurgents — Rami village", "|in the al-Rami village|state_based|Syria|Idlib governorate|Idlib governorate|Ariha district|Rami village|35.763369|36.558974|1|2013-01-03|2013-01-03|1|Government of Syria|Syrian insurgents|2|0|Support Kurds in Syria;VDC|monitoring|1|", "|ucdp-ged|textrealintegerintegerintegertext"} {
		if !strings.Contains(first, want) {
			t.Errorf("first sample row %q lacks %q", first, want)
		}
	}
}

// TestImportSameIDTwiceInBatch: a dataset id that comes back in the same
// batch (after ids in order, then out of order) is stored once, with the
// later row's content, on both stores.
func TestImportSameIDTwiceInBatch(t *testing.T) {
	csv := "id,type_of_violence,country,date_start,date_end,dyad_name,best\n" +
		"1,1,Vangoria,2023-01-01,2023-01-01,A - B,1\n" +
		"2,1,Vangoria,2023-01-02,2023-01-02,A - B,2\n" +
		"3,1,Vangoria,2023-01-03,2023-01-03,A - B,3\n" +
		"2,3,Vangoria,2023-01-02,2023-01-02,A - B,20\n" +
		"5,2,Vangoria,2023-01-05,2023-01-05,A - B,5\n" +
		"1,2,Vangoria,2023-01-01,2023-01-01,A - B,10\n" +
		"6,9,Vangoria,2023-01-06,2023-01-06,A - B,6\n"
	f := filepath.Join(t.TempDir(), "ged.csv")
	if err := os.WriteFile(f, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		inst := newInst(t, d, "A")[0]
		res := runImport(t, d, inst, "ucdp-ged", f)
		if res.Inserted != 4 || res.Rejected != 1 {
			t.Fatalf("%+v", res)
		}
		got := map[string]string{}
		ctx := context.Background()
		d.Read(ctx, inst, func(tx *db.Tx) error {
			rows, err := tx.Query(ctx, "SELECT origin_id, violence, fatalities FROM events WHERE institution_id = ?", inst)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var id, v string
				var n int
				rows.Scan(&id, &v, &n)
				got[id] = fmt.Sprintf("%s %d", v, n)
			}
			return rows.Err()
		})
		want := map[string]string{"1": "non_state 10", "2": "one_sided 20", "3": "state_based 3", "5": "non_state 5"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("stored %v, want %v", got, want)
		}
		if res := runImport(t, d, inst, "ucdp-ged", f); res.Inserted != 0 || res.Updated != 0 || res.Unchanged != 4 {
			t.Errorf("second run: %+v", res)
		}
	})
}
