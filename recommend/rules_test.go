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

func TestRuleWhy(t *testing.T) {
	for _, c := range []struct {
		rule, text, body string
		themes           []string
		want             string
	}{
		{"1", "Combat hate speech against migrants.", "", nil, "the text mentions 'hate speech'"},
		{"2", "Prosecute those who incited violence during the elections.", "", nil, "the text mentions 'incited'"},
		{"2", "Protect the independence of the citizen council.", "", nil, ""}, // no stem "incite" inside another word
		{"3", "Ratify the Rome Statute of the International Criminal Court.", "", nil, "the text mentions 'rome statute'"},
		{"7", "Strengthen the registry of missing persons.", "", []string{"Enforced disappearances"}, "its theme is 'Enforced disappearances'"},
		{"7", "Investigate all enforced disappearances.", "", nil, "the text mentions 'enforced disappearances'"},
		{"5", "Ensure access to a lawyer from the outset of detention.", "Committee against Torture", nil, "it comes from the Committee against Torture"},
		{"11", "Train the police in human rights.", "", nil, "the text mentions 'train' and 'police'"},
		{"11", "Train teachers in human rights.", "", nil, ""}, // training, but not of forces
		{"22", "Disband all paramilitary groups.", "", nil, "the text mentions 'paramilitary'"},
		{"17", "Review its counter-terrorism law.", "", nil, "the text mentions 'counter-terrorism'"},
		{"19", "Respect the principle of non-refoulement.", "", nil, "the text mentions 'refoulement'"},
		{"18", "Improve grape harvests.", "", nil, ""},
	} {
		r := RuleByID(c.rule)
		got := r.Why(&Recommendation{Text: c.text, Body: c.body, Themes: c.themes, Mechanism: "upr"})
		if got != c.want {
			t.Errorf("rule %s on %q: %q, want %q", c.rule, c.text, got, c.want)
		}
	}
	for _, r := range Rules {
		if IndicatorCodeValid(r.Indicator) != nil || strings.Contains(r.Indicator, "RF") {
			t.Errorf("rule %s: indicator %q is not a plain number", r.ID, r.Indicator)
		}
	}
}

// TestSuggestLinksRealUPR runs the rules over real UPR Info
// recommendations (the first raw file, sessions 1-5) and checks that known
// recommendations get sensible suggestions, that a second run adds nothing,
// that a rejected suggestion never comes back and that a confirmed one is
// what package risk reads.
func TestSuggestLinksRealUPR(t *testing.T) {
	file := "../../shared/data/upr/raw/upr-info_sessions_1-5.csv"
	if _, err := os.Stat(file); err != nil {
		t.Skip("UPR Info data absent: ../shared/data/upr/raw/upr-info_sessions_1-5.csv not found beside the checkout")
	}
	if _, err := os.Stat("../../shared/data/iso3166"); err != nil {
		t.Skip("country list absent: ../shared/data/iso3166")
	}
	Notes = nil
	d := dbtest.SQLite(t)
	ctx := context.Background()
	if _, err := country.Import(ctx, d, []string{"../../shared/data/iso3166"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ImportUPRInfo(ctx, d, []string{filepath.Clean(file)}, nil); err != nil {
		t.Fatal(err)
	}
	insts := map[string]access.Institution{}
	if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		for _, st := range []string{"COL", "BDI"} {
			in, err := access.CreateInstitution(ctx, tx, "Office "+st, st)
			if err != nil {
				return err
			}
			insts[st] = in
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	run := func(st string) SuggestResult {
		t.Helper()
		var res SuggestResult
		if err := d.Write(ctx, insts[st].ID, func(tx *db.Tx) error {
			var err error
			res, err = SuggestLinks(ctx, tx, insts[st].ID, st)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := map[string]SuggestResult{"COL": run("COL"), "BDI": run("BDI")}
	for st, r := range first {
		if r.Examined < 50 || r.Suggested < 20 {
			t.Errorf("%s: %+v", st, r)
		}
	}
	// Suggestions of known recommendations, by the start of their text.
	links := func(st, textStart string) map[string]RiskLink {
		t.Helper()
		out := map[string]RiskLink{}
		d.Read(ctx, insts[st].ID, func(tx *db.Tx) error {
			var id string
			if err := tx.QueryRow(ctx, "SELECT id FROM recommendations WHERE state_under_review = ? AND text LIKE ?", st, textStart+"%").Scan(&id); err != nil {
				t.Fatalf("%s %q: %v", st, textStart, err)
			}
			ls, err := RiskLinks(ctx, tx, insts[st].ID, id, access.Analyst)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range ls {
				out[l.IndicatorCode] = l
			}
			return nil
		})
		return out
	}
	for _, c := range []struct {
		st, text string
		want     []string
	}{
		{"COL", "Further reinforce efforts to immediately disband and disarm all paramilitary groups", []string{"7.5"}},
		{"BDI", "Take all appropriate measures to address the issue of impunity and to implement adequate mechanisms of transitional justice", []string{"2.3", "2.7"}},
		{"BDI", "Establish transitional justice mechanisms", []string{"2.7"}},
	} {
		got := links(c.st, c.text)
		for _, w := range c.want {
			l, ok := got[w]
			if !ok {
				t.Errorf("%s %q: no suggestion of %s (got %v)", c.st, c.text, w, got)
				continue
			}
			if l.ConfirmedBy != "" || l.Rule == "" || !strings.HasPrefix(l.Explain(), "suggested because ") || !strings.HasSuffix(l.Explain(), "(rule "+l.Rule+")") {
				t.Errorf("%s %s: %+v %q", c.st, w, l, l.Explain())
			}
		}
	}
	// Idempotent.
	if again := run("COL"); again.Suggested != 0 || again.Known != first["COL"].Suggested+first["COL"].Known {
		t.Fatalf("second run: %+v after %+v", again, first["COL"])
	}
	// Reject the paramilitary one, confirm another; run again.
	para := links("COL", "Further reinforce efforts to immediately disband")["7.5"]
	bdi := links("BDI", "Establish transitional justice mechanisms")["2.7"]
	if err := d.Write(ctx, insts["COL"].ID, func(tx *db.Tx) error {
		_, err := RejectLink(ctx, tx, insts["COL"].ID, para.ID, "u1")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := d.Write(ctx, insts["BDI"].ID, func(tx *db.Tx) error {
		if _, err := ConfirmLink(ctx, tx, insts["COL"].ID, bdi.ID, "u2"); err != ErrNotFound {
			t.Errorf("another institution confirmed a link: %v", err)
		}
		_, err := ConfirmLink(ctx, tx, insts["BDI"].ID, bdi.ID, "u2")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if r := run("COL"); r.Suggested != 0 {
		t.Errorf("a rejected suggestion came back: %+v", r)
	}
	if _, ok := links("COL", "Further reinforce efforts to immediately disband")["7.5"]; ok {
		t.Error("the rejected link is still listed")
	}
	if l := links("BDI", "Establish transitional justice mechanisms")["2.7"]; l.ConfirmedBy != "u2" {
		t.Errorf("confirmed link: %+v", l)
	}
	d.Read(ctx, insts["COL"].ID, func(tx *db.Tx) error {
		rj, err := Rejections(ctx, tx, insts["COL"].ID, para.RecommendationID)
		if err != nil || len(rj) != 1 || rj[0].IndicatorCode != "7.5" || rj[0].Rule != "22" {
			t.Errorf("rejections %+v %v", rj, err)
		}
		return nil
	})
	_ = sensitivity.Internal
}
