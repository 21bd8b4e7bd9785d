package recommend

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/access"
	"vigil/country"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/sensitivity"
)

func TestDecodeMacRomanCR(t *testing.T) {
	// "Côte d'Ivoire" and "é" in Mac Roman (0x99 = ô, 0x8E = é), classic Mac line ends.
	raw := []byte("To,Text\rC\x99te d'Ivoire,Cr\x8Eer\r")
	d := Decode(raw)
	if d.Encoding != "Mac Roman" || d.LineEnds != "CR" || !d.Converted {
		t.Fatalf("detected %s / %s", d.Encoding, d.LineEnds)
	}
	if got := string(d.Text); got != "To,Text\nCôte d'Ivoire,Créer\n" {
		t.Fatalf("decoded %q", got)
	}
	// Windows-1252 with CRLF: é is 0xE9 there.
	d = Decode([]byte("a,b\r\nCr\xe9er,x\r\n"))
	if d.Encoding != "Windows-1252" || d.LineEnds != "CRLF" || string(d.Text) != "a,b\nCréer,x\n" {
		t.Fatalf("windows: %s %s %q", d.Encoding, d.LineEnds, d.Text)
	}
	d = Decode([]byte("\xef\xbb\xbfa,b\nCréer,x\n"))
	if d.Encoding != "UTF-8" || d.Converted || string(d.Text) != "a,b\nCréer,x\n" {
		t.Fatalf("utf-8: %s %v %q", d.Encoding, d.Converted, d.Text)
	}
}

func TestQueryRendering(t *testing.T) {
	for q, want := range map[string]string{
		`torture`:                       `"torture"`,
		`women rights`:                  `(("women" OR "woman") AND "rights")`,
		`"death penalty" OR moratorium`: `("death penalty" OR "moratorium")`,
		`torture NOT death`:             `("torture" NOT "death")`,
		`torture -death`:                `("torture" NOT "death")`,
		`disappear*`:                    `"disappear"*`,
		`Côte`:                          `"cote"`,
		`(rome OR icc) statute`:         `(("rome" OR "icc") AND "statute")`,
		`x" OR 1=1 --`:                  ``,
	} {
		n, err := parse(q)
		if want == "" {
			if err == nil {
				t.Errorf("%q: want an error, got %s", q, n.fts5())
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", q, err)
			continue
		}
		if got := n.fts5(); got != want {
			t.Errorf("%q: got %s, want %s", q, got, want)
		}
	}
	if _, err := parse("NOT torture"); err == nil {
		t.Error("a lone NOT must be refused")
	}
	n, _ := parse(`"death penalty" women -child disappear*`)
	if got := n.tsquery(); got != `(((death <-> penalty) & (women | woman) & disappear:*) & !(child | children))` {
		t.Errorf("tsquery: %s", got)
	}
}

func seedCountries(t *testing.T, ctx context.Context, q db.Q) {
	for _, c := range []country.Country{{Code: "AFG", Name: "Afghanistan"}, {Code: "FRA", Name: "France"}, {Code: "CIV", Name: "Côte d'Ivoire"}, {Code: "PRK", Name: "Korea (Democratic People's Republic of)"}} {
		if _, err := country.Upsert(ctx, q, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := country.AddAlias(ctx, q, "DPR Korea", "PRK", "test"); err != nil {
		t.Fatal(err)
	}
}

func save(t *testing.T, ctx context.Context, q db.Q, key, state, text, response string, themes ...string) Recommendation {
	t.Helper()
	r := Recommendation{Source: "test", SourceKey: key, Mechanism: "upr", StateUnderReview: state, Text: text, Response: response, Themes: themes, Cycle: 1, Session: "3"}
	if _, err := Save(ctx, q, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSearch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var inst access.Institution
		err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			var err error
			inst, err = access.CreateInstitution(ctx, tx, "Office", "XVG")
			if err != nil {
				return err
			}
			save(t, ctx, tx, "1", "AFG", "Protect the rights of women and girls against violence.", "supported", "Women's rights")
			save(t, ctx, tx, "2", "AFG", "End discrimination against every woman in employment.", "noted", "Women's rights", "Labour")
			save(t, ctx, tx, "3", "FRA", "Take measures so that no group is discriminated against.", "supported", "Racial discrimination")
			save(t, ctx, tx, "4", "CIV", "Abolish the death penalty and ratify the Rome Statute.", "noted", "Death penalty", "International instruments")
			save(t, ctx, tx, "5", "CIV", "Investigate enforced disappearances in Côte d'Ivoire; the penalty for death threats should rise.", "supported", "Enforced disappearances")
			r := save(t, ctx, tx, "6", "FRA", "Consider a moratorium on executions.", "noted", "Death penalty")
			_, err = AddAssessment(ctx, tx, inst.ID, "u", Assessment{RecommendationID: r.ID, Source: "nhri", Status: "not_implemented", AssessedBy: "NHRI", AssessedOn: "2024-01-02", Evidence: "law unchanged"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		search := func(f Filter) Results {
			t.Helper()
			f.Institution, f.Clearance = inst.ID, sensitivity.Confidential
			var res Results
			if err := d.Read(ctx, inst.ID, func(tx *db.Tx) error {
				var err error
				res, err = Search(ctx, tx, f)
				return err
			}); err != nil {
				t.Fatalf("%+v: %v", f, err)
			}
			return res
		}
		for q, want := range map[string]int{
			"woman":                          2, // women (stem + irregular plural)
			"women":                          2,
			"discriminate":                   2, // discrimination, discriminated
			"cote":                           1, // diacritics folded
			"Côte":                           1,
			`"death penalty"`:                1, // not "penalty for death"
			"death penalty":                  2,
			"death OR moratorium":            3,
			"death NOT rome":                 1,
			"disappear*":                     1,
			"(women OR moratorium) violence": 1,
		} {
			if got := search(Filter{Query: q}).Total; got != want {
				t.Errorf("%q: %d results, want %d", q, got, want)
			}
		}
		res := search(Filter{Query: "death OR woman OR discriminate OR moratorium"})
		if res.Total != 6 {
			t.Fatalf("total %d", res.Total)
		}
		facet := func(cs []Count, v string) int {
			for _, c := range cs {
				if c.Value == v {
					return c.N
				}
			}
			return 0
		}
		if facet(res.Facets.State, "AFG") != 2 || facet(res.Facets.State, "CIV") != 2 || facet(res.Facets.Response, "noted") != 3 ||
			facet(res.Facets.Theme, "Death penalty") != 2 || facet(res.Facets.Status, "not_implemented") != 1 || facet(res.Facets.Status, "unassessed") != 5 ||
			facet(res.Facets.Mechanism, "upr") != 6 || facet(res.Facets.Cycle, "1") != 6 {
			t.Errorf("facets %+v", res.Facets)
		}
		// A filter narrows the results but leaves its own facet whole.
		res = search(Filter{Query: "death OR woman OR discriminate OR moratorium", State: "AFG"})
		if res.Total != 2 || facet(res.Facets.State, "FRA") != 2 || facet(res.Facets.Response, "supported") != 1 {
			t.Errorf("filtered: %d %+v", res.Total, res.Facets)
		}
		if got := search(Filter{Theme: "Death penalty", Status: "not_implemented"}).Total; got != 1 {
			t.Errorf("theme+status: %d", got)
		}
		if got := search(Filter{Status: "unassessed"}).Total; got != 5 {
			t.Errorf("unassessed: %d", got)
		}
	})
}

func writeFile(t *testing.T, name string, b []byte) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportUPRInfoSmall(t *testing.T) {
	Notes = nil
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := writeFile(t, "s.csv", []byte("To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session\r"+
			"Afghanistan,Asia,OIC,Protect women,France,WEOG,EU,Accepted,5,\"Women's rights,Justice\",5\r"+
			"C\x99te d'Ivoire,Africa,AU,Ratify the Rome Statute,DPR Korea,Asia,,Noted,4,International instruments,15\r"+
			"Afghanistan,Asia,OIC,Protect women,France,WEOG,EU,Accepted,5,\"Women's rights,Justice\",5\r"+
			"Atlantis,Asia,,Something,France,WEOG,EU,Accepted,5,Other,5\r"+
			"Afghanistan,Asia,OIC,We pledge,Afghanistan,Asia,OIC,Voluntary Pledge,5,Other,5\r"))
		if _, err := ImportUPRInfo(ctx, d, []string{f}, nil); err == nil || !strings.Contains(err.Error(), "country list is empty") {
			t.Fatalf("empty country list: %v", err)
		}
		if err := d.Write(ctx, db.System, func(tx *db.Tx) error { seedCountries(t, ctx, tx); return nil }); err != nil {
			t.Fatal(err)
		}
		res, err := ImportUPRInfo(ctx, d, []string{f}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Inserted != 4 || res.Rejected != 1 || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "Atlantis") || res.Errors[0].Row != 5 {
			t.Fatalf("first import: %+v", res)
		}
		var civ Results
		d.Read(ctx, db.System, func(tx *db.Tx) error {
			civ, err = Search(ctx, tx, Filter{State: "CIV", NoFacets: true})
			return err
		})
		if civ.Total != 1 || civ.Results[0].RecommendingState != "PRK" || civ.Results[0].Cycle != 2 || civ.Results[0].Response != "noted" {
			t.Fatalf("CIV: %+v", civ)
		}
		// Follow-up work on a record survives a newer export that changes its response.
		var inst access.Institution
		var act Action
		err = d.Write(ctx, db.System, func(tx *db.Tx) error {
			inst, err = access.CreateInstitution(ctx, tx, "Office", "XVG")
			if err != nil {
				return err
			}
			act, err = AddAction(ctx, tx, inst.ID, "u", Action{RecommendationID: civ.Results[0].ID, Title: "Draft bill", Responsible: "Ministry of Justice", DueOn: "2020-01-01"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		res, _ = ImportUPRInfo(ctx, d, []string{f}, nil)
		if res.Inserted != 0 || res.Unchanged != 4 {
			t.Fatalf("second import: %+v", res)
		}
		newer := writeFile(t, "n.csv", []byte("To,Text,From,Response,Action,Issue,Session\nCôte d'Ivoire,Ratify the Rome Statute,DPR Korea,Accepted,5,International instruments,15\n"))
		res, _ = ImportUPRInfo(ctx, d, []string{newer}, nil)
		if res.Updated != 1 || res.Inserted != 0 {
			t.Fatalf("newer export: %+v", res)
		}
		d.Read(ctx, inst.ID, func(tx *db.Tx) error {
			r, err := Get(ctx, tx, Scope{Institution: inst.ID, Clearance: sensitivity.Internal}, civ.Results[0].ID)
			if err != nil || r.Response != "supported" {
				t.Errorf("after update: %+v %v", r, err)
			}
			acts, err := Actions(ctx, tx, inst.ID, r.ID, access.Analyst)
			if err != nil || len(acts) != 1 || acts[0].ID != act.ID || !acts[0].Overdue("2026-01-01") {
				t.Errorf("actions after re-import: %+v %v", acts, err)
			}
			board, _ := Board(ctx, tx, inst.ID, access.Analyst, "2026-01-01", true)
			if len(board) != 1 {
				t.Errorf("overdue board: %+v", board)
			}
			return nil
		})
	})
}

// TestImportUPRInfoReal imports the six raw files as published and checks
// the counts stated in the data's README.
func TestImportUPRInfoReal(t *testing.T) {
	raw := "../../shared/data/upr/raw"
	files, _ := filepath.Glob(filepath.Join(raw, "*.csv"))
	if len(files) != 6 {
		t.Skip("UPR Info data absent: ../shared/data/upr/raw/*.csv (six files) not found beside the checkout")
	}
	Notes = nil
	d := dbtest.SQLite(t)
	ctx := context.Background()
	if _, err := country.Import(ctx, d, []string{"../../shared/data/iso3166"}, nil); err != nil {
		t.Fatal(err)
	}
	// A search before the import builds the (empty) facet index; the
	// import's delta then brings it up to date without reading the table.
	d.Read(ctx, db.System, func(tx *db.Tx) error {
		_, err := Search(ctx, tx, Filter{Query: "genocide"})
		return err
	})
	builds := indexBuilds.Load()
	res, err := ImportUPRInfo(ctx, d, files, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.Read(ctx, db.System, func(tx *db.Tx) error {
		got, err := Search(ctx, tx, Filter{Query: "genocide OR torture", State: "AFG"})
		if err != nil {
			return err
		}
		var n int
		tx.QueryRow(ctx, `SELECT COUNT(*) FROM recommendations r WHERE r.state_under_review = 'AFG' AND r.owner_institution = ''
			AND r.num IN (SELECT rowid FROM recommendations_fts WHERE recommendations_fts MATCH '"genocide" OR "torture"')`).Scan(&n)
		if got.Total != n || n == 0 || got.Facets.State[0].N < n {
			t.Errorf("after the import: %d, SQL count %d", got.Total, n)
		}
		if b := indexBuilds.Load(); b != builds {
			t.Errorf("%d full builds after the import, want none", b-builds)
		}
		return nil
	})
	if res.Inserted != 42013 || res.Rejected != 0 {
		t.Fatalf("import: inserted %d rejected %d, errors %v", res.Inserted, res.Rejected, res.Errors[:min(5, len(res.Errors))])
	}
	d.Read(ctx, db.System, func(tx *db.Tx) error {
		n := map[string]int{}
		rows, _ := tx.Query(ctx, "SELECT kind, COUNT(*) FROM recommendations GROUP BY kind")
		for rows.Next() {
			var k string
			var c int
			rows.Scan(&k, &c)
			n[k] = c
		}
		rows.Close()
		if n["recommendation"] != 41066 || n["voluntary_pledge"] != 947 {
			t.Errorf("kinds %v", n)
		}
		var states int
		tx.QueryRow(ctx, "SELECT COUNT(DISTINCT state_under_review) FROM recommendations").Scan(&states)
		if states != 193 {
			t.Errorf("%d States under review, want 193", states)
		}
		// The README counts a case-insensitive pattern; stemming may find
		// a few more (plural "courts"), never fewer.
		for q, want := range map[string]int{`"rome statute"`: 578, `"international criminal court"`: 405, `genocide`: 87, `"enforced disappearance"`: 626} {
			r, err := Search(ctx, tx, Filter{Query: q, NoFacets: true})
			if err != nil || r.Total < want || r.Total > want+want/50 {
				t.Errorf("%s: %d, want %d (%v)", q, r.Total, want, err)
			}
		}
		return nil
	})
	res, err = ImportUPRInfo(ctx, d, files, nil)
	if err != nil || res.Unchanged != 42013 || res.Inserted+res.Updated != 0 {
		t.Fatalf("re-import: %+v %v", res, err)
	}
	// The bulk load put the full-text triggers back: a record saved
	// afterwards is found, and the search's index sees it at once.
	if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ('recommendations_fts_ai', 'rec_search_rec_ai')").Scan(&n); err != nil || n != 2 {
			t.Errorf("triggers after the import: %d %v", n, err)
		}
		before, err := Search(ctx, tx, Filter{Query: "genocide"})
		if err != nil {
			return err
		}
		r := Recommendation{Source: "test", SourceKey: "after", Mechanism: "upr", StateUnderReview: "AFG", Text: "Prevent genocide and zyxwvutsrq.", Response: "pending"}
		if _, err := Save(ctx, tx, &r); err != nil {
			return err
		}
		after, err := Search(ctx, tx, Filter{Query: "zyxwvutsrq OR genocide"})
		if err != nil || after.Total != before.Total+1 || after.Results[0].ID != r.ID {
			t.Errorf("after a save: %d (before %d) %v", after.Total, before.Total, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestOwnRecommendationsStayWithTheirInstitution(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var a, b access.Institution
		var own Recommendation
		err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			var err error
			if a, err = access.CreateInstitution(ctx, tx, "A", "XVG"); err != nil {
				return err
			}
			if b, err = access.CreateInstitution(ctx, tx, "B", "XVG"); err != nil {
				return err
			}
			save(t, ctx, tx, "s", "XVG", "Shared text about torture.", "supported")
			own, err = CreateOwn(ctx, tx, a.ID, Recommendation{StateUnderReview: "XVG", Text: "Our own advice about torture.", Sensitivity: sensitivity.Internal})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			inst  string
			cl    sensitivity.Level
			total int
		}{{a.ID, sensitivity.Internal, 2}, {a.ID, sensitivity.Partners, 1}, {b.ID, sensitivity.Confidential, 1}} {
			d.Read(ctx, c.inst, func(tx *db.Tx) error {
				res, err := Search(ctx, tx, Filter{Query: "torture", Institution: c.inst, Clearance: c.cl})
				if err != nil || res.Total != c.total {
					t.Errorf("%s at %s: %d results, want %d (%v)", c.inst, c.cl, res.Total, c.total, err)
				}
				_, err = Get(ctx, tx, Scope{Institution: c.inst, Clearance: c.cl}, own.ID)
				if want := c.total == 2; (err == nil) != want {
					t.Errorf("get own as %s at %s: %v", c.inst, c.cl, err)
				}
				return nil
			})
		}
	})
}
