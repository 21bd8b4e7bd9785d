package treaty

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"vigil/audit"
	"vigil/country"
	"vigil/db"
	"vigil/db/dbtest"
)

// sharedData finds ../shared/data beside the checkout, or skips.
func sharedData(t testing.TB) string {
	t.Helper()
	dir, _ := filepath.Abs(filepath.Join("..", "..", "shared", "data"))
	for _, need := range []string{"treaties/instruments.csv", "iso3166/iso3166_m49_all.csv"} {
		if _, err := os.Stat(filepath.Join(dir, need)); err != nil {
			t.Skipf("shared data not found (%s): this test needs ../shared/data/treaties and ../shared/data/iso3166 beside the checkout", need)
		}
	}
	return dir
}

func importShared(t testing.TB, d *db.DB, data string) {
	t.Helper()
	ctx := context.Background()
	if _, err := country.Import(ctx, d, []string{filepath.Join(data, "iso3166")}, nil); err != nil {
		t.Fatal(err)
	}
	res, err := Import(ctx, d, []string{filepath.Join(data, "treaties")}, ImportOptions{}, nil)
	if err != nil {
		t.Fatalf("import: %v (%+v)", err, res.Errors)
	}
}

// The participants that have no ISO code; the importer reports them as row
// errors rather than storing them (docs/treaty.md says why).
var notStates = map[string]bool{"European Union": true, "Czechoslovakia": true, "German Democratic Republic": true}

// expectedParties counts, straight from the files and without any of the
// importer's code, the States that are parties to each instrument as of the
// data's date, keyed by the UNTC id.
func expectedParties(t *testing.T, data string) map[string]int {
	t.Helper()
	want := map[string]int{}
	read := func(path string) [][]string {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r := csv.NewReader(f)
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	for _, name := range []string{"un_hr_ratifications.csv", "arms_control_ratifications.csv"} {
		recs := read(filepath.Join(data, "treaties", "untc_2026-02-03", name))
		// country_name,treaty_id,treaty_name,action_type,action_date,signature_date,treaty_open_year,mtdsg_no,source_url
		for _, r := range recs[1:] {
			if notStates[r[0]] {
				continue
			}
			// The CCW protocols' consent dates sit in the signature column.
			ccwProtocol := r[1] == "ccw_p4" || r[1] == "ccw_p2a" || r[1] == "ccw_p5"
			if r[4] != "" || (ccwProtocol && r[5] != "") {
				want[r[7]]++
			}
		}
	}
	old := regexp.MustCompile(`^treaty_(\d+)-(\d+)(-[a-z])?\.csv$`)
	romans := map[string]string{"1": "I", "4": "IV", "5": "V", "18": "XVIII"}
	files, _ := filepath.Glob(filepath.Join(data, "treaties", "untc_2013-2015", "treaty_*.csv"))
	for _, f := range files {
		m := old.FindStringSubmatch(filepath.Base(f))
		id := romans[m[1]] + "-" + m[2] + m[3]
		recs := read(f)
		consent := len(recs[0]) - 1 // the last column is consent to be bound
		for _, r := range recs[1:] {
			if len(recs[0]) == 1 || (len(r) > consent && strings.TrimSpace(r[consent]) != "") {
				want[id]++
			}
		}
	}
	return want
}

func TestImportMatchesFileCounts(t *testing.T) {
	data := sharedData(t)
	want := expectedParties(t, data)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := country.Import(ctx, d, []string{filepath.Join(data, "iso3166")}, nil); err != nil {
			t.Fatal(err)
		}
		first, err := Import(ctx, d, []string{filepath.Join(data, "treaties")}, ImportOptions{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		// Only the three non-State participants are rejected.
		for _, e := range first.Errors {
			if !strings.Contains(e.Message, "European Union") && !strings.Contains(e.Message, "Czechoslovakia") &&
				!strings.Contains(e.Message, "German Democratic Republic") && !strings.Contains(e.Message, "Yugoslavia (former)") {
				t.Errorf("unexpected row error: %+v", e)
			}
		}
		if first.Rejected == 0 || first.Inserted < 4000 {
			t.Fatalf("first import: %+v", first)
		}
		err = d.Read(ctx, db.System, func(tx *db.Tx) error {
			ins, err := Instruments(ctx, tx)
			if err != nil {
				return err
			}
			seen := map[string]bool{}
			for _, in := range ins {
				if in.UNTCID == "" {
					continue
				}
				s, err := Summarise(ctx, tx, in.ID)
				if err != nil {
					return err
				}
				exp, inData := want[in.UNTCID]
				if !inData {
					if s.Parties != 0 {
						t.Errorf("%s (%s): %d parties but none in the files", in.ID, in.UNTCID, s.Parties)
					}
					continue
				}
				seen[in.UNTCID] = true
				if s.Parties != exp {
					t.Errorf("%s (%s): %d parties as of %s, the files say %d", in.ID, in.UNTCID, s.Parties, s.AsOf, exp)
				}
			}
			for id := range want {
				if !seen[id] {
					t.Errorf("UNTC %s in the files has no instrument", id)
				}
			}
			// Spot checks against the data README (CRPD's 193 include the EU).
			for id, n := range map[string]int{"crc": 196, "crpd": 192, "cat": 175, "ced": 78, "att": 117, "genocide": 146} {
				s, err := Summarise(ctx, tx, id)
				if err != nil {
					return err
				}
				if s.Parties != n {
					t.Errorf("%s: %d parties, want %d", id, s.Parties, n)
				}
			}
			s, _ := Summarise(ctx, tx, "cat")
			if s.AsOf != "2026-02-03" || s.Signatories != 4 {
				t.Errorf("cat as of %s, %d signatories", s.AsOf, s.Signatories)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// Idempotent: a second run changes nothing.
		again, err := Import(ctx, d, []string{filepath.Join(data, "treaties")}, ImportOptions{Log: &audit.Log{}, Actor: "test"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if again.Inserted != 0 || again.Updated != 0 || again.Unchanged != first.Inserted+first.Updated+first.Unchanged {
			t.Fatalf("second import changed data: %+v (first %+v)", again, first)
		}
		// The import is recorded in the instance's own audit chain.
		var n int
		if err := d.Read(ctx, db.System, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE institution_id = 'system' AND action = 'treaty.import'").Scan(&n)
		}); err != nil || n != 1 {
			t.Fatalf("audit entries of the import: %d %v", n, err)
		}
	})
}
