package recommend

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/sensitivity"
)

// seedVaried writes n shared recommendations with words, States, themes,
// responses, mechanisms and cycles that vary independently, own
// recommendations of two institutions at several levels, and independent
// assessments (some recommendations assessed twice: the later counts).
func seedVaried(t *testing.T, ctx context.Context, d *db.DB, n int) (a, b access.Institution) {
	t.Helper()
	words := []string{"torture", "women", "girls", "death penalty", "enforced disappearance", "education", "genocide", "children", "minorities", "hate speech"}
	states := []string{"AFG", "FRA", "CIV", "PRK"}
	themes := []string{"Women's rights", "Torture", "Death penalty", "Education", "Minorities"}
	mechs := []string{"upr", "treaty_body", "special_procedure", "regional"}
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		var err error
		if a, err = access.CreateInstitution(ctx, tx, "A", "AFG"); err != nil {
			return err
		}
		if b, err = access.CreateInstitution(ctx, tx, "B", "FRA"); err != nil {
			return err
		}
		var ids []string
		for i := 0; i < n; i++ {
			text := fmt.Sprintf("Recommendation %d about %s and %s in the country.", i, words[i%len(words)], words[(i*7/3)%len(words)])
			r := Recommendation{Source: "test", SourceKey: fmt.Sprint(i), Mechanism: mechs[(i/3)%len(mechs)], StateUnderReview: states[(i/2)%len(states)],
				Text: text, Response: Responses[i%4], Themes: []string{themes[i%len(themes)], themes[(i/5)%len(themes)]}, Cycle: 1 + i%4}
			if i%11 == 0 {
				r.Themes = nil
			}
			if _, err := Save(ctx, tx, &r); err != nil {
				return err
			}
			ids = append(ids, r.ID)
		}
		for i, inst := range []string{a.ID, b.ID} {
			for lvl := sensitivity.Public; lvl <= sensitivity.Confidential; lvl++ {
				if _, err := CreateOwn(ctx, tx, inst, Recommendation{StateUnderReview: states[i], Text: fmt.Sprintf("Own advice on torture and women, level %d.", lvl),
					Sensitivity: lvl, Themes: []string{"Torture"}}); err != nil {
					return err
				}
			}
		}
		for i := 0; i < n; i += 3 {
			for j, inst := range []string{a.ID, b.ID} {
				st := Statuses[(i+j)%len(Statuses)]
				if _, err := AddAssessment(ctx, tx, inst, "u", Assessment{RecommendationID: ids[i], Source: "nhri", Status: st, AssessedBy: "x", AssessedOn: "2024-01-01", Evidence: "e"}); err != nil {
					return err
				}
				if i%2 == 0 { // a later finding replaces the first
					if _, err := AddAssessment(ctx, tx, inst, "u", Assessment{RecommendationID: ids[i], Source: "nhri", Status: Statuses[(i+j+1)%len(Statuses)], AssessedBy: "x", AssessedOn: "2024-06-01", Evidence: "e"}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

// TestSearchIndexAgreesWithSQL checks that the SQLite search through the
// in-process index gives exactly what the plain SQL search gives (results,
// order, total and every facet), and that totals and State counts equal
// plain SQL counts, for many queries, filters and readers.
func TestSearchIndexAgreesWithSQL(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	a, b := seedVaried(t, ctx, d, 240)
	// Later confidential findings on some recommendations: readers below
	// Confidential keep the status of the latest assessment they may see.
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		rows, err := Search(ctx, tx, Filter{Limit: 500, NoFacets: true})
		if err != nil {
			return err
		}
		for i, r := range rows.Results {
			if i%5 != 0 {
				continue
			}
			for j, inst := range []string{a.ID, b.ID} {
				if _, err := AddAssessment(ctx, tx, inst, "u", Assessment{RecommendationID: r.ID, Source: "nhri", Status: Statuses[(i+j+2)%len(Statuses)],
					AssessedBy: "x", AssessedOn: "2025-01-01", Evidence: "e", Sensitivity: sensitivity.Confidential}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	queries := []string{"", "torture", "women", "woman", `"death penalty"`, `"enforced disappearance"`, "torture OR genocide", "women NOT girls",
		"disappear*", "(education OR minorities) country", "nothingmatches"}
	filters := []Filter{{}, {State: "AFG"}, {State: "afg", Theme: "Torture"}, {Mechanism: "treaty_body", Response: "noted"}, {Cycle: 2},
		{Status: "fully"}, {Status: "unassessed"}, {Status: "partially", State: "CIV"}, {Theme: "No such theme"}, {Limit: 7, Offset: 5}, {NoFacets: true, Limit: 3}}
	type reader struct {
		inst string
		cl   sensitivity.Level
	}
	readers := []reader{{a.ID, sensitivity.Internal}, {a.ID, sensitivity.Partners}, {b.ID, sensitivity.Confidential}, {"", 0}, {a.ID, sensitivity.Confidential}}
	checked := 0
	for _, rd := range readers {
		scope := rd.inst
		if scope == "" {
			scope = db.System
		}
		err := d.Read(ctx, scope, func(tx *db.Tx) error {
			for _, q := range queries {
				for _, f := range filters {
					f.Query, f.Institution, f.Clearance = q, rd.inst, rd.cl
					if f.Limit == 0 {
						f.Limit = 50
					}
					got, err := Search(ctx, tx, f)
					if err != nil {
						return err
					}
					match, _ := MatchExpr(db.SQLite, q)
					want, err := searchSQL(ctx, tx, f, match)
					if err != nil {
						return err
					}
					gj, _ := json.Marshal(got)
					wj, _ := json.Marshal(want)
					if string(gj) != string(wj) {
						t.Errorf("%q %+v:\n index %s\n sql   %s", q, f, gj, wj)
					}
					// Plain SQL count of the same question.
					w, args := where(db.SQLite, f, match, "")
					from := "recommendations r"
					if match != "" {
						from = "recommendations_fts CROSS JOIN recommendations r ON r.num = recommendations_fts.rowid"
					}
					var n int
					if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM "+from+w, args...).Scan(&n); err != nil {
						return err
					}
					if n != got.Total {
						t.Errorf("%q %+v: total %d, SQL count %d", q, f, got.Total, n)
					}
					if !f.NoFacets {
						ws, sargs := where(db.SQLite, f, match, "state")
						sc, err := counts(ctx, tx, "SELECT r.state_under_review, COUNT(*) FROM "+from+ws+" GROUP BY 1 ORDER BY 2 DESC, 1", sargs...)
						if err != nil {
							return err
						}
						if fmt.Sprint(sc) != fmt.Sprint(got.Facets.State) {
							t.Errorf("%q %+v: State facet %v, SQL %v", q, f, got.Facets.State, sc)
						}
					}
					checked++
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked != len(readers)*len(queries)*len(filters) {
		t.Fatalf("checked %d", checked)
	}
}

// TestSearchIndexFollowsWrites checks that a search made after a write
// never counts from the index or caches built before it.
func TestSearchIndexFollowsWrites(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	a, _ := seedVaried(t, ctx, d, 40)
	search := func(f Filter) Results {
		t.Helper()
		f.Institution, f.Clearance = a.ID, sensitivity.Internal
		var res Results
		if err := d.Read(ctx, a.ID, func(tx *db.Tx) error {
			var err error
			res, err = Search(ctx, tx, f)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return res
	}
	facet := func(cs []Count, v string) int {
		for _, c := range cs {
			if c.Value == v {
				return c.N
			}
		}
		return 0
	}
	before := search(Filter{Query: "torture"})
	builds, fulls := indexBuilds.Load(), fullMatches.Load()
	same := func(f Filter) {
		t.Helper()
		f.Institution, f.Clearance, f.Limit = a.ID, sensitivity.Internal, 50
		d.Read(ctx, a.ID, func(tx *db.Tx) error {
			got, err := Search(ctx, tx, f)
			if err != nil {
				t.Fatal(err)
			}
			m, _ := MatchExpr(db.SQLite, f.Query)
			want, err := searchSQL(ctx, tx, f, m)
			if err != nil {
				t.Fatal(err)
			}
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(want)
			if string(gj) != string(wj) {
				t.Errorf("%+v:\n index %s\n sql   %s", f, gj, wj)
			}
			return nil
		})
	}
	var r Recommendation
	if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		r = Recommendation{Source: "test", SourceKey: "new", Mechanism: "upr", StateUnderReview: "ZZZ", Text: "A new text on torture.", Response: "pending", Themes: []string{"Brand new"}}
		_, err := Save(ctx, tx, &r)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	after := search(Filter{Query: "torture"})
	// The cached match set of "torture" was patched with the one new row,
	// not read again from FTS5.
	if n := fullMatches.Load(); n != fulls {
		t.Errorf("%d full match reads after a save, want none", n-fulls)
	}
	if after.Total != before.Total+1 || facet(after.Facets.State, "ZZZ") != 1 || facet(after.Facets.Theme, "Brand new") != 1 || after.Results[0].ID != r.ID {
		t.Fatalf("after insert: %d (before %d), facets %+v", after.Total, before.Total, after.Facets.State)
	}
	same(Filter{Query: "torture"})
	same(Filter{})
	// The write was made through this package: the index was updated from
	// its delta, not read again from the table.
	if n := indexBuilds.Load(); n != builds {
		t.Errorf("%d full builds after a save, want none", n-builds)
	}
	// An update in place (same id) moves it to another response.
	part := search(Filter{Query: "torture", Response: "supported_in_part"}).Total
	if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		r.Response = "supported_in_part"
		_, err := Save(ctx, tx, &r)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := search(Filter{Query: "torture", Response: "supported_in_part"}); got.Total != part+1 || got.Results[0].ID != r.ID {
		t.Fatalf("after update: %d, was %d", got.Total, part)
	}
	same(Filter{Response: "supported_in_part"})
	if n := indexBuilds.Load(); n != builds {
		t.Errorf("%d full builds after an update, want none", n-builds)
	}
	// A text that no longer matches leaves the patched match set.
	search(Filter{Query: "torture"})
	fulls = fullMatches.Load()
	if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		r.Text = "A new text on something else."
		_, err := Save(ctx, tx, &r)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := search(Filter{Query: "torture"}); got.Total != before.Total || fullMatches.Load() != fulls {
		t.Errorf("after the text changed: %d (want %d), %d full match reads", got.Total, before.Total, fullMatches.Load()-fulls)
	}
	same(Filter{Query: "torture"})
	same(Filter{Query: "something"})
	// A write made around the package (plain SQL) leaves no delta: the
	// next search reads the table again and is right.
	if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE recommendations SET response = 'noted', state_under_review = 'YYY' WHERE id = ?", r.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := search(Filter{State: "YYY"}); got.Total != 1 || got.Results[0].Response != "noted" {
		t.Fatalf("after a plain SQL update: %d", got.Total)
	}
	if n := indexBuilds.Load(); n != builds+1 {
		t.Errorf("%d full builds after a plain SQL update, want 1", n-builds)
	}
	same(Filter{Query: "torture"})
	// A new independent assessment changes the status facet at once.
	st := facet(search(Filter{Query: "something"}).Facets.Status, "fully")
	if err := d.Write(ctx, a.ID, func(tx *db.Tx) error {
		_, err := AddAssessment(ctx, tx, a.ID, "u", Assessment{RecommendationID: r.ID, Source: "nhri", Status: "fully", AssessedBy: "x", AssessedOn: "2025-01-01", Evidence: "e"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := facet(search(Filter{Query: "something"}).Facets.Status, "fully"); got != st+1 {
		t.Fatalf("status facet %d after an assessment, was %d", got, st)
	}
	// A second store with the same content in the same process never gets
	// the first one's index: its tokens are its own.
	d2 := dbtest.SQLite(t)
	a2, _ := seedVaried(t, ctx, d2, 40)
	d2.Read(ctx, a2.ID, func(tx *db.Tx) error {
		res, err := Search(ctx, tx, Filter{Query: "torture", Institution: a2.ID, Clearance: sensitivity.Internal})
		if err != nil || res.Total != before.Total {
			t.Errorf("second store: %d, want %d (%v)", res.Total, before.Total, err)
		}
		return nil
	})
}

// TestSearchIndexConcurrent runs searches from several goroutines while
// records are saved, and checks every answer against the plain SQL search
// of the same transaction (run with -race to check the caches' locking).
func TestSearchIndexConcurrent(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	a, _ := seedVaried(t, ctx, d, 60)
	done := make(chan struct{})
	errs := make(chan error, 8)
	for g := 0; g < 4; g++ {
		go func(g int) {
			for i := 0; ; i++ {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				q := []string{"torture", "women", `"death penalty"`, "genocide OR minorities"}[(g+i)%4]
				f := Filter{Query: q, Institution: a.ID, Clearance: sensitivity.Internal, Limit: 50}
				err := d.Read(ctx, a.ID, func(tx *db.Tx) error {
					got, err := Search(ctx, tx, f)
					if err != nil {
						return err
					}
					m, _ := MatchExpr(db.SQLite, q)
					want, err := searchSQL(ctx, tx, f, m)
					if err != nil {
						return err
					}
					gj, _ := json.Marshal(got)
					wj, _ := json.Marshal(want)
					if string(gj) != string(wj) {
						return fmt.Errorf("%q: index and SQL differ", q)
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	for i := 0; i < 30; i++ {
		if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			r := Recommendation{Source: "test", SourceKey: fmt.Sprint("c", i%10), Mechanism: "upr", StateUnderReview: "AFG",
				Text: fmt.Sprintf("Concurrent text %d on torture and women.", i), Response: Responses[i%4], Themes: []string{"Torture"}}
			_, err := Save(ctx, tx, &r)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestStatusHonoursAssessmentClearance checks that the status facet and
// the status filter read, for each reader, only the independent
// assessments their clearance allows: a confidential assessment, even
// the latest, is not reflected for a partner or a viewer, whose status is
// that of the latest assessment they may see. On SQLite the index and the
// plain SQL search must also agree, for readers of every clearance.
func TestStatusHonoursAssessmentClearance(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var a access.Institution
		var ids []string
		err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			var err error
			if a, err = access.CreateInstitution(ctx, tx, "A", "AFG"); err != nil {
				return err
			}
			for i := 0; i < 3; i++ {
				r := Recommendation{Source: "test", SourceKey: fmt.Sprint("clr", i), Mechanism: "upr", StateUnderReview: "AFG",
					Text: fmt.Sprintf("Recommendation %d on detention monitoring.", i), Response: "supported", Cycle: 3}
				if _, err := Save(ctx, tx, &r); err != nil {
					return err
				}
				ids = append(ids, r.ID)
			}
			add := func(id, st, on string, lvl sensitivity.Level) error {
				_, err := AddAssessment(ctx, tx, a.ID, "u", Assessment{RecommendationID: id, Source: "nhri", Status: st, AssessedBy: "x", AssessedOn: on,
					Evidence: "e", Sensitivity: lvl})
				return err
			}
			// 0: partners may see "partially"; a later confidential finding says "fully".
			if err := add(ids[0], "partially", "2024-01-01", sensitivity.Partners); err != nil {
				return err
			}
			if err := add(ids[0], "fully", "2024-06-01", sensitivity.Confidential); err != nil {
				return err
			}
			// 1: only a confidential finding.
			if err := add(ids[1], "not_implemented", "2024-03-01", sensitivity.Confidential); err != nil {
				return err
			}
			// 2: an internal finding.
			return add(ids[2], "unknown", "2024-03-01", sensitivity.Internal)
		})
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name  string
			cl    sensitivity.Level
			facet string            // status facet
			by    map[string]string // status filter -> ids found, by index
		}{
			{"partner", access.Partner.Clearance(), "[{unassessed 2} {partially 1}]",
				map[string]string{"fully": "", "partially": "0", "not_implemented": "", "unknown": "", "unassessed": "21"}},
			{"viewer", access.Viewer.Clearance(), "[{partially 1} {unassessed 1} {unknown 1}]",
				map[string]string{"fully": "", "partially": "0", "not_implemented": "", "unknown": "2", "unassessed": "1"}},
			{"analyst", access.Analyst.Clearance(), "[{fully 1} {not_implemented 1} {unknown 1}]",
				map[string]string{"fully": "0", "partially": "", "not_implemented": "1", "unknown": "2", "unassessed": ""}},
		}
		idx := map[string]string{ids[0]: "0", ids[1]: "1", ids[2]: "2"}
		for _, c := range cases {
			err := d.Read(ctx, a.ID, func(tx *db.Tx) error {
				for _, query := range []string{"", "detention"} {
					for _, status := range append([]string{""}, "fully", "partially", "not_implemented", "unknown", "unassessed") {
						f := Filter{Query: query, Status: status, Institution: a.ID, Clearance: c.cl, Limit: 50}
						runs := map[string]func() (Results, error){"search": func() (Results, error) { return Search(ctx, tx, f) }}
						if d.Dialect == db.SQLite {
							m, _ := MatchExpr(db.SQLite, query)
							runs["sql"] = func() (Results, error) { return searchSQL(ctx, tx, f, m) }
						}
						for how, run := range runs {
							res, err := run()
							if err != nil {
								return err
							}
							if got := fmt.Sprint(res.Facets.Status); got != c.facet {
								t.Errorf("%s %s q=%q status=%q: status facet %s, want %s", c.name, how, query, status, got, c.facet)
							}
							if status == "" {
								continue
							}
							got := ""
							for _, r := range res.Results {
								got += idx[r.ID]
							}
							if got != c.by[status] || res.Total != len(got) {
								t.Errorf("%s %s q=%q status=%q: found %q (total %d), want %q", c.name, how, query, status, got, res.Total, c.by[status])
							}
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestReadNumsAppliesScope checks the defence in depth of the page read:
// even when handed the numbers of rows outside the reader's scope (another
// institution's own, or above the clearance), readNums returns only those
// the scope may see.
func TestReadNumsAppliesScope(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	a, b := seedVaried(t, ctx, d, 12)
	err := d.Read(ctx, db.System, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT num, owner_institution, sensitivity FROM recommendations ORDER BY num DESC")
		if err != nil {
			return err
		}
		var nums []int32
		owner := map[int64]string{}
		level := map[int64]sensitivity.Level{}
		for rows.Next() {
			var n int64
			var o string
			var l int
			if err := rows.Scan(&n, &o, &l); err != nil {
				rows.Close()
				return err
			}
			nums, owner[n], level[n] = append(nums, int32(n)), o, sensitivity.Level(l)
		}
		rows.Close()
		for _, sc := range []Scope{{a.ID, sensitivity.Partners}, {a.ID, sensitivity.Confidential}, {b.ID, sensitivity.Internal}, {}, {a.ID, 0}} {
			got, err := readNums(ctx, tx, sc, nums)
			if err != nil {
				return err
			}
			cl := sc.Clearance
			if !cl.Valid() {
				cl = sensitivity.Public
			}
			want := 0
			for _, n := range nums {
				if owner[int64(n)] == "" && (sc.Institution == "" || level[int64(n)] <= cl) ||
					sc.Institution != "" && owner[int64(n)] == sc.Institution && level[int64(n)] <= cl {
					want++
				}
			}
			for _, r := range got {
				if r.Owner != "" && (r.Owner != sc.Institution || r.Sensitivity > cl) {
					t.Errorf("%+v: row %d of %q at level %d returned", sc, r.Num, r.Owner, r.Sensitivity)
				}
			}
			if len(got) != want || want == 0 {
				t.Errorf("%+v: %d rows, want %d", sc, len(got), want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
