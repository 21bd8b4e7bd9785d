package treaty

import (
	"bytes"
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"vigil/access"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/sensitivity"
)

func TestSuggest(t *testing.T) {
	for _, c := range []struct {
		inst, section, text string
		want                []string
	}{
		{"cat", "optional_articles", "Recognizes, in accordance with articles 21 and 22 of the Convention, the competence of the Committee.", []string{"cat.art22", "cat.art21"}},
		{"cat", "optional_articles", "Recognizes the competence of the Committee to receive communications from or on behalf of individuals subject to its jurisdiction.", []string{"cat.art22"}},
		{"cat", "optional_articles", "Recognizes the competence of the Committee to receive communications to the effect that a State Party claims that another State Party is not fulfilling its obligations.", []string{"cat.art21"}},
		{"cat", "reservations", "The Government does not recognize the competence of the Committee provided for in article 20, in accordance with article 28.", []string{"cat.art20:not_accepted"}},
		{"genocide", "reservations", "Does not consider itself bound by article IX of the Convention.", []string{"genocide.art9:not_accepted"}},
		{"genocide", "reservations", "As regards article XII: the provisions should extend to Non-Self-Governing Territories.", []string{}},
		{"cerd", "optional_articles", "Declares under article 14 that it recognizes the competence of the Committee.", []string{"cerd.art14"}},
		{"cerd", "reservations", "Article 14 is mentioned in an ordinary declaration.", []string{}},
		{"iccpr", "optional_articles", "Recognizes the competence of the Human Rights Committee under article 41.", []string{"iccpr.art41"}},
	} {
		got := Suggest(c.inst, c.section, c.text)
		slices.Sort(got)
		slices.Sort(c.want)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Suggest(%s, %s, %q) = %v, want %v", c.inst, c.section, c.text, got, c.want)
		}
	}
}

func TestParseOldDate(t *testing.T) {
	for in, want := range map[string][2]string{
		"22 Mar 1956 a": {"1956-03-22", "accession"}, "4 Jun 2013": {"2013-06-04", "ratification"},
		"26 Sep 2013 A": {"2013-09-26", "acceptance"}, "1 Feb 2007 AA": {"2007-02-01", "approval"}, "21 Feb 1963 d": {"1963-02-21", "succession"},
	} {
		d, k, err := parseOldDate(in)
		if err != nil || d != want[0] || k != want[1] {
			t.Errorf("parseOldDate(%q) = %s %s %v", in, d, k, err)
		}
	}
	for _, bad := range []string{"", "Mar 1956", "31 Feb 2001", "1 Jan 2001 x"} {
		if _, _, err := parseOldDate(bad); err == nil {
			t.Errorf("parseOldDate(%q) accepted", bad)
		}
	}
	if got := untcFromName(oldTable.FindStringSubmatch("treaty_18-10-a.csv")); got != "XVIII-10-a" {
		t.Errorf("untcFromName = %q", got)
	}
}

func TestNeutraliseAndExports(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+SUM(A1)": "'+SUM(A1)", "-2": "'-2", "@x": "'@x", "\tx": "'\tx", "plain": "plain", "": ""} {
		if got := Neutralise(in); got != want {
			t.Errorf("Neutralise(%q) = %q", in, got)
		}
	}
	rows := [][]string{{"a", "b"}, {"=HYPERLINK(\"http://x\")", "ok"}}
	var csvOut, xlsx bytes.Buffer
	if err := WriteCSV(&csvOut, rows); err != nil || !strings.Contains(csvOut.String(), `"'=HYPERLINK(""http://x"")"`) {
		t.Fatalf("csv %q %v", csvOut.String(), err)
	}
	if err := WriteXLSX(&xlsx, "XVG", rows); err != nil || !bytes.HasPrefix(xlsx.Bytes(), []byte("PK")) {
		t.Fatalf("xlsx: %v", err)
	}
}

// TestGapAnalysis builds a small world and checks every kind of gap, the
// indicators, the institution's confirmations and the comparison counts.
func TestGapAnalysis(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var instA, instB string
		err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			for _, c := range [][3]string{{"AAA", "Alpha", "R1"}, {"BBB", "Beta", "R1"}, {"CCC", "Gamma", "R2"}} {
				if _, err := tx.Exec(ctx, "INSERT INTO countries (code, name, region) VALUES (?, ?, ?)", c[0], c[1], c[2]); err != nil {
					return err
				}
			}
			a, err := access.CreateInstitution(ctx, tx, "A", "AAA")
			if err != nil {
				return err
			}
			b, err := access.CreateInstitution(ctx, tx, "B", "AAA")
			instA, instB = a.ID, b.ID
			if err != nil {
				return err
			}
			for _, in := range []Instrument{{ID: "cat", ShortName: "CAT", Title: "CAT", Category: "core_hr"}, {ID: "ced", ShortName: "CED", Title: "CED", Category: "core_hr"},
				{ID: "rome", ShortName: "Rome", Title: "Rome", Category: "icl"}, {ID: "genocide", ShortName: "Gen", Title: "Gen", Category: "atrocity"}} {
				if _, err := UpsertInstrument(ctx, tx, in); err != nil {
					return err
				}
			}
			for _, p := range []Participation{
				{State: "AAA", Instrument: "cat", ConsentDate: "1990-01-01", ConsentType: "ratification"},
				{State: "AAA", Instrument: "ced", SignatureDate: "2007-02-06"},
				{State: "AAA", Instrument: "genocide", ConsentDate: "1950-01-01", ConsentType: "accession"},
				{State: "BBB", Instrument: "cat", ConsentDate: "1991-01-01", ConsentType: "ratification"},
				{State: "BBB", Instrument: "rome", ConsentDate: "2002-01-01", ConsentType: "ratification", WithdrawalDate: "2019-03-17"},
				{State: "CCC", Instrument: "cat", ConsentDate: "1992-01-01", ConsentType: "accession"},
				{State: "CCC", Instrument: "rome", ConsentDate: "2003-01-01", ConsentType: "accession"},
			} {
				p.Source, p.AsOf = "test", "2025-01-01"
				if _, err := UpsertParticipation(ctx, tx, p); err != nil {
					return err
				}
			}
			text := "Does not consider itself bound by article IX."
			if _, err := UpsertDeclaration(ctx, tx, Declaration{State: "AAA", Instrument: "genocide", Section: "reservations", Body: text,
				Suggested: Suggest("genocide", "reservations", text), Source: "test", AsOf: "2025-01-01"}); err != nil {
				return err
			}
			if _, err := Confirm(ctx, tx, instA, "u1", Acceptance{State: "AAA", Procedure: "cat.art22", Status: "accepted"}); err != nil {
				return err
			}
			if _, err := SaveCheck(ctx, tx, instA, "u1", CheckEntry{State: "AAA", Item: "crime_torture", Status: "no", Evidence: "secret", Sensitivity: sensitivity.Confidential}); err != nil {
				return err
			}
			_, err = SaveCheck(ctx, tx, instA, "u1", CheckEntry{State: "AAA", Item: "npm", Status: "yes"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		gaps := func(inst string, clearance sensitivity.Level) (Profile, map[string]Gap) {
			var p Profile
			if err := d.Read(ctx, inst, func(tx *db.Tx) error {
				var err error
				p, err = BuildProfile(ctx, tx, "AAA", inst, clearance)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			m := map[string]Gap{}
			for _, g := range p.Gaps {
				m[g.Kind+" "+g.Subject] = g
			}
			return p, m
		}
		p, m := gaps(instA, sensitivity.Confidential)
		for _, want := range []string{"not_ratified ced", "not_ratified rome", "not_accepted cat.art21", "reserved genocide", "reserved genocide.art9",
			"not_implemented crime_torture", "not_assessed crime_genocide"} {
			if _, ok := m[want]; !ok {
				t.Errorf("missing gap %q in %v", want, p.Gaps)
			}
		}
		for _, not := range []string{"not_accepted cat.art22", "not_ratified cat", "not_implemented npm", "not_assessed npm"} {
			if _, ok := m[not]; ok {
				t.Errorf("unexpected gap %q", not)
			}
		}
		if g := m["not_ratified rome"]; !slices.Contains(g.Indicators, "2.3") || !slices.Contains(g.Indicators, "3.1") {
			t.Errorf("Rome Statute gap indicators %v", g.Indicators)
		}
		if g := m["not_accepted cat.art21"]; !slices.Equal(g.Indicators, []string{"6.7"}) {
			t.Errorf("CAT art. 21 gap indicators %v", g.Indicators)
		}
		byInd := p.GapsByIndicator()
		if len(byInd["6.7"]) == 0 || len(byInd["3.1"]) == 0 {
			t.Errorf("gaps by indicator: %v", byInd)
		}
		for _, g := range byInd["6.7"] {
			if !slices.Contains(g.Indicators, "6.7") {
				t.Errorf("gap %+v filed under 6.7", g)
			}
		}
		// A viewer does not see the confidential answer: it counts as not assessed.
		_, mv := gaps(instA, sensitivity.Internal)
		if _, ok := mv["not_assessed crime_torture"]; !ok {
			t.Error("confidential answer leaked to an internal-cleared reader")
		}
		// Institution B has confirmed nothing.
		_, mb := gaps(instB, sensitivity.Confidential)
		if _, ok := mb["not_accepted cat.art22"]; !ok {
			t.Error("institution B sees A's confirmation")
		}
		// Comparison: region R1 = AAA, BBB; BBB withdrew from Rome.
		err = d.Read(ctx, db.System, func(tx *db.Tx) error {
			ins, _ := Instruments(ctx, tx)
			c, err := Compare(ctx, tx, "AAA", ins)
			if err != nil {
				return err
			}
			for _, l := range c.Lines {
				want := map[string][2]int{"cat": {2, 3}, "rome": {0, 1}, "ced": {0, 0}, "genocide": {1, 1}}[l.ID]
				if l.RegionParties != want[0] || l.WorldParties != want[1] {
					t.Errorf("%s: region %d world %d, want %v", l.ID, l.RegionParties, l.WorldParties, want)
				}
			}
			if c.RegionStates != 2 || c.WorldStates != 3 || !strings.Contains(ComparisonSVG(c, "x"), "<title") {
				t.Errorf("comparison %+v", c)
			}
			s, err := Summarise(ctx, tx, "rome")
			if s.Parties != 1 || s.Withdrawn != 1 || len(s.ByYear) == 0 {
				t.Errorf("rome summary %+v", s)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestHistoryAndOlderData: a changed value leaves a history row; older data
// never overwrites newer.
func TestHistoryAndOlderData(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		if _, err := UpsertInstrument(ctx, tx, Instrument{ID: "cat", ShortName: "CAT", Title: "CAT", Category: "core_hr"}); err != nil {
			return err
		}
		steps := []struct {
			p    Participation
			want string
		}{
			{Participation{State: "AAA", Instrument: "cat", SignatureDate: "2019-01-01", Source: "s1", AsOf: "2020-01-01"}, "inserted"},
			{Participation{State: "AAA", Instrument: "cat", SignatureDate: "2019-01-01", Source: "s1", AsOf: "2020-01-01"}, "unchanged"},
			{Participation{State: "AAA", Instrument: "cat", SignatureDate: "2019-01-01", ConsentDate: "2021-05-05", ConsentType: "ratification", Source: "s2", AsOf: "2022-01-01"}, "updated"},
			{Participation{State: "AAA", Instrument: "cat", SignatureDate: "2019-01-01", Source: "s0", AsOf: "2019-06-01"}, "unchanged"},
		}
		for i, s := range steps {
			got, err := UpsertParticipation(ctx, tx, s.p)
			if err != nil || got != s.want {
				t.Errorf("step %d: %s %v, want %s", i, got, err, s.want)
			}
		}
		h, err := History(ctx, tx, "AAA")
		if err != nil {
			return err
		}
		if len(h) != 2 || h[0].Source != "s2" {
			t.Errorf("history %+v", h)
		}
		// A declaration whose text changes keeps the old text in the history.
		for _, body := range []string{"first text", "second text"} {
			if _, err := UpsertDeclaration(ctx, tx, Declaration{State: "AAA", Instrument: "cat", Section: "reservations", Body: body, Source: "s", AsOf: "2022-01-01"}); err != nil {
				return err
			}
		}
		h, _ = History(ctx, tx, "AAA")
		found := false
		for _, c := range h {
			found = found || (c.Field == "text:reservations" && c.Old == "first text" && c.New == "second text")
		}
		if !found {
			t.Errorf("declaration change not in history: %+v", h)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
