package recommend

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"vigil/country"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/importer"
)

// ftsIntegrity asks FTS5 to compare the full-text index with the table it
// indexes (external content: recommendations.search_text by num).
func ftsIntegrity(t *testing.T, ctx context.Context, q db.Q) {
	t.Helper()
	if _, err := q.Exec(ctx, "INSERT INTO recommendations_fts (recommendations_fts, rank) VALUES ('integrity-check', 1)"); err != nil {
		t.Fatalf("full-text index out of step with the table: %v", err)
	}
}

// bigExport writes a UPR Info export of n rows (enough for the bulk path),
// each with its own text; action is the action category of every row.
func bigExport(t *testing.T, name string, n, action int, extra string) string {
	var b strings.Builder
	b.WriteString("To,Text,From,Response,Action,Issue,Session\r")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Afghanistan,Recommendation number %d about torture and women%s,France,Accepted,%d,\"Torture,Women's rights\",%d\r", i, extra, action, 1+i%30)
	}
	return writeFile(t, name, []byte(b.String()))
}

func matchCount(t *testing.T, ctx context.Context, q db.Q, expr string) int {
	t.Helper()
	var n int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM recommendations_fts WHERE recommendations_fts MATCH ?", expr).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBulkImportKeepsFullTextIndex: a large import (which indexes its rows
// in one pass instead of through the triggers), a re-import with changes,
// single saves and a deletion all leave the external-content index exactly
// in step with the table, and searches find what they should.
func TestBulkImportKeepsFullTextIndex(t *testing.T) {
	Notes = nil
	d := dbtest.SQLite(t)
	ctx := context.Background()
	if err := d.Write(ctx, db.System, func(tx *db.Tx) error { seedCountries(t, ctx, tx); return nil }); err != nil {
		t.Fatal(err)
	}
	first := bigExport(t, "big.csv", 1200, 3, "")
	res, err := ImportUPRInfo(ctx, d, []string{first}, nil)
	if err != nil || res.Inserted != 1200 {
		t.Fatalf("import: %+v %v", res, err)
	}
	check := func(when string, wantTorture int) {
		t.Helper()
		d.Read(ctx, db.System, func(tx *db.Tx) error {
			ftsIntegrity(t, ctx, tx)
			if n := matchCount(t, ctx, tx, "tortur*"); n != wantTorture {
				t.Errorf("%s: %d rows match torture, want %d", when, n, wantTorture)
			}
			var triggers int
			tx.QueryRow(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ('recommendations_fts_ai', 'rec_search_rec_ai')").Scan(&triggers)
			if triggers != 2 {
				t.Errorf("%s: %d of the two insert triggers", when, triggers)
			}
			return nil
		})
	}
	check("after the bulk import", 1200)

	// Ids were handed out in the order of the full-text keys, and every
	// row has its two themes.
	d.Read(ctx, db.System, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT id FROM recommendations ORDER BY num")
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for rows.Next() {
			var id string
			rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		if !sort.StringsAreSorted(ids) || len(ids) != 1200 {
			t.Fatalf("ids not in num order (%d rows)", len(ids))
		}
		// Every column is where it belongs (values shared by the rows of a
		// statement are bound once).
		r, err := Get(ctx, tx, Scope{}, ids[7])
		if err != nil {
			t.Fatal(err)
		}
		want := Recommendation{ID: ids[7], Sensitivity: 1, Num: r.Num, Source: "upr-info", SourceKey: r.SourceKey, Kind: "recommendation", Mechanism: "upr",
			Body: "Human Rights Council (UPR Working Group)", StateUnderReview: "AFG", RecommendingState: "FRA", Cycle: 1, Session: "8",
			Text: "Recommendation number 7 about torture and women", Themes: []string{"Torture", "Women's rights"}, AffectedPersons: []string{},
			SDGTargets: []string{}, Response: "supported", ActionCategory: 3, CreatedAt: r.CreatedAt, UpdatedAt: r.CreatedAt}
		if fmt.Sprintf("%+v", r) != fmt.Sprintf("%+v", want) || len(r.SourceKey) != 32 || len(r.CreatedAt) != len(db.Now()) {
			t.Errorf("stored:\n%+v\nwant\n%+v", r, want)
		}
		var search string
		tx.QueryRow(ctx, "SELECT search_text FROM recommendations WHERE id = ?", ids[7]).Scan(&search)
		if search != Fold(want.Text) {
			t.Errorf("search_text %q", search)
		}
		var themes int
		tx.QueryRow(ctx, "SELECT COUNT(*) FROM recommendation_themes").Scan(&themes)
		if themes != 2400 {
			t.Errorf("%d theme rows, want 2400", themes)
		}
		return nil
	})

	// A newer export changes every action category: 1,200 updates through
	// the update trigger (which hands FTS5 the old text to remove).
	res, err = ImportUPRInfo(ctx, d, []string{bigExport(t, "newer.csv", 1200, 4, "")}, nil)
	if err != nil || res.Updated != 1200 {
		t.Fatalf("newer export: %+v %v", res, err)
	}
	check("after the updates", 1200)

	// New rows next to old ones (a corrected text is a new record), a
	// save, a change of text and a deletion.
	res, err = ImportUPRInfo(ctx, d, []string{bigExport(t, "more.csv", 600, 4, " genocide")}, nil)
	if err != nil || res.Inserted != 600 {
		t.Fatalf("third import: %+v %v", res, err)
	}
	check("after a second bulk import", 1800)
	err = d.Write(ctx, db.System, func(tx *db.Tx) error {
		r := save(t, ctx, tx, "k1", "AFG", "Stop the zyxwvut practice", "pending", "Torture")
		if n := matchCount(t, ctx, tx, "zyxwvut"); n != 1 {
			t.Errorf("saved row: %d matches", n)
		}
		r.Text = "Stop the qwertyu practice"
		if st, err := Save(ctx, tx, &r); err != nil || st != "updated" {
			t.Fatalf("save: %s %v", st, err)
		}
		if matchCount(t, ctx, tx, "zyxwvut") != 0 || matchCount(t, ctx, tx, "qwertyu") != 1 {
			t.Error("a changed text is not what the index finds")
		}
		if _, err := tx.Exec(ctx, "DELETE FROM recommendation_themes WHERE recommendation_id = ?", r.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM recommendations WHERE id = ?", r.ID); err != nil {
			return err
		}
		if matchCount(t, ctx, tx, "qwertyu") != 0 {
			t.Error("a deleted row is still found")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	check("after saves and a deletion", 1800)
	d.Read(ctx, db.System, func(tx *db.Tx) error {
		if n := matchCount(t, ctx, tx, "genocide"); n != 600 {
			t.Errorf("genocide: %d, want 600", n)
		}
		r, err := Search(ctx, tx, Filter{Query: "genocide", NoFacets: true})
		if err != nil || r.Total != 600 {
			t.Errorf("search: %d %v", r.Total, err)
		}
		return nil
	})

	// The whole import is one transaction: one that fails (a theme whose
	// recommendation is missing, found at commit) leaves nothing behind.
	err = d.Write(ctx, db.System, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO recommendation_themes (recommendation_id, theme) VALUES ('no-such-recommendation', 'Torture')")
		return err
	})
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "foreign key") {
		t.Errorf("a theme without its recommendation was committed (%v)", err)
	}
}

// TestMigration0015 applies the migration to a store in the shape 0005
// left it (full-text index with its own copy of the text, themes in a rowid
// table), with rows in it: the same queries match the same rows afterwards,
// the themes are all there, and the index agrees with the table.
func TestMigration0015(t *testing.T) {
	body, err := os.ReadFile("../db/migrations/0015_recommend_import.sqlite.sql")
	if err != nil {
		t.Fatal(err)
	}
	d := dbtest.SQLite(t)
	ctx := context.Background()
	queries := []string{"tortur*", `"death penalty"`, "women", "cote", "genocide OR torture", "child NOT women"}
	before := map[string]int{}
	err = d.Write(ctx, db.System, func(tx *db.Tx) error {
		// Back to the shape of 0005.
		for _, s := range []string{
			"DROP TRIGGER recommendations_fts_ai", "DROP TRIGGER recommendations_fts_ad", "DROP TRIGGER recommendations_fts_au",
			"DROP TABLE recommendations_fts", "DROP TABLE recommendation_themes",
			"CREATE VIRTUAL TABLE recommendations_fts USING fts5(search_text, tokenize = 'porter unicode61 remove_diacritics 2')",
			`CREATE TRIGGER recommendations_fts_ai AFTER INSERT ON recommendations BEGIN
    INSERT INTO recommendations_fts(rowid, search_text) VALUES (new.num, new.search_text);
END`,
			`CREATE TRIGGER recommendations_fts_ad AFTER DELETE ON recommendations BEGIN
    DELETE FROM recommendations_fts WHERE rowid = old.num;
END`,
			`CREATE TRIGGER recommendations_fts_au AFTER UPDATE OF search_text, num ON recommendations BEGIN
    DELETE FROM recommendations_fts WHERE rowid = old.num;
    INSERT INTO recommendations_fts(rowid, search_text) VALUES (new.num, new.search_text);
END`,
			`CREATE TABLE recommendation_themes (recommendation_id TEXT NOT NULL REFERENCES recommendations(id), theme TEXT NOT NULL,
    PRIMARY KEY (recommendation_id, theme))`,
			"CREATE INDEX recommendation_themes_theme ON recommendation_themes(theme)",
		} {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		save(t, ctx, tx, "a", "AFG", "End torture in places of detention", "supported", "Torture")
		save(t, ctx, tx, "b", "CIV", "Abolish the death penalty; protect women and children", "noted", "Death penalty", "Women's rights")
		save(t, ctx, tx, "c", "CIV", "Côte d'Ivoire should ratify the Genocide Convention", "pending", "International instruments")
		save(t, ctx, tx, "d", "FRA", "Protect every child", "pending")
		for _, q := range queries {
			before[q] = matchCount(t, ctx, tx, q)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = d.Write(ctx, db.System, func(tx *db.Tx) error {
		for _, stmt := range migrationStatements(string(body)) {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("%s: %w", stmt, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d.Read(ctx, db.System, func(tx *db.Tx) error {
		ftsIntegrity(t, ctx, tx)
		for _, q := range queries {
			if n := matchCount(t, ctx, tx, q); n != before[q] || n == 0 && q != "child NOT women" {
				t.Errorf("%s: %d matches after the migration, %d before", q, n, before[q])
			}
		}
		var themes, shadow int
		tx.QueryRow(ctx, "SELECT COUNT(*) FROM recommendation_themes").Scan(&themes)
		tx.QueryRow(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'recommendations_fts_content'").Scan(&shadow)
		if themes != 4 || shadow != 0 {
			t.Errorf("themes %d (want 4), content copy tables %d (want 0)", themes, shadow)
		}
		return nil
	})
}

// migrationStatements splits a migration file as db.Migrate does: on
// semicolons at line ends, a trigger running to its "END;" line.
func migrationStatements(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.SplitAfter(body, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") && cur.Len() == 0 {
			continue
		}
		cur.WriteString(line)
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(cur.String())), "CREATE TRIGGER") && !strings.EqualFold(trimmed, "END;") {
			continue
		}
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	return out
}

// TestValidateMirrorsChecks: the UPR Info import writes with SQLite's CHECK
// constraints off, relying on validate. This holds the two together: the
// table has exactly the five CHECKs validate mirrors, with the same lists
// and bounds, and validate refuses what each of them refuses.
func TestValidateMirrorsChecks(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	var ddl string
	d.Read(ctx, db.System, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'recommendations'").Scan(&ddl)
	})
	ddl = strings.Join(strings.Fields(ddl), " ")
	if n := strings.Count(strings.ToUpper(ddl), "CHECK"); n != 5 {
		t.Fatalf("recommendations has %d CHECK constraints, validate mirrors 5: mirror the new one in validate (the import turns them off)", n)
	}
	quoted := func(l []string) string { return "'" + strings.Join(l, "','") + "'" }
	for _, want := range []string{
		"CHECK (sensitivity BETWEEN 1 AND 4)",
		"CHECK (kind IN ('recommendation','voluntary_pledge'))",
		"CHECK (mechanism IN (" + quoted(Mechanisms) + "))",
		"CHECK (response IN (" + quoted(Responses) + "))",
		"CHECK (action_category BETWEEN 0 AND 5)",
	} {
		if !strings.Contains(ddl, want) {
			t.Errorf("the table no longer has %s: change validate to match", want)
		}
	}
	good := Recommendation{Source: "s", SourceKey: "k", Mechanism: "upr", StateUnderReview: "AFG", Text: "t", Response: "pending", Kind: "recommendation", Sensitivity: 1}
	if err := good.validate(); err != nil {
		t.Fatal(err)
	}
	for name, spoil := range map[string]func(*Recommendation){
		"sensitivity 5":   func(r *Recommendation) { r.Sensitivity = 5 },
		"sensitivity -1":  func(r *Recommendation) { r.Sensitivity = -1 },
		"kind":            func(r *Recommendation) { r.Kind = "pledge" },
		"mechanism":       func(r *Recommendation) { r.Mechanism = "court" },
		"response":        func(r *Recommendation) { r.Response = "accepted" },
		"action category": func(r *Recommendation) { r.ActionCategory = 6 },
		"negative action": func(r *Recommendation) { r.ActionCategory = -1 },
	} {
		r := good
		spoil(&r)
		if r.validate() == nil {
			t.Errorf("validate lets through a bad %s", name)
		}
	}
	// After an import the constraints are on again on the connection.
	Notes = nil
	if err := d.Write(ctx, db.System, func(tx *db.Tx) error { seedCountries(t, ctx, tx); return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := ImportUPRInfo(ctx, d, []string{bigExport(t, "c.csv", 600, 1, "")}, nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ { // whichever connection of the pool the write gets
		err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE recommendations SET response = 'accepted' WHERE num = 1")
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "CHECK") {
			t.Fatalf("a bad response was written after the import: %v", err)
		}
	}
}

// decodeBefore is Decode as it was written before it converted in one
// pass (x/text's decoder, then two replacements): the reference the new
// one must equal byte for byte.
func decodeBefore(b []byte) Decoded {
	var d Decoded
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	crlf, cr, lf := bytes.Count(b, []byte("\r\n")), bytes.Count(b, []byte("\r")), bytes.Count(b, []byte("\n"))
	switch {
	case cr > 0 && crlf == 0 && lf == 0:
		d.LineEnds = "CR"
	case crlf > 0 && crlf == cr:
		d.LineEnds = "CRLF"
	default:
		d.LineEnds = "LF"
	}
	if utf8.Valid(b) {
		d.Encoding = "UTF-8"
	} else {
		mac, win := letterScore(b, charmap.Macintosh), letterScore(b, charmap.Windows1252)
		cm := charmap.Windows1252
		d.Encoding = "Windows-1252"
		if d.LineEnds == "CR" || mac > win {
			cm, d.Encoding = charmap.Macintosh, "Mac Roman"
		}
		out, err := cm.NewDecoder().Bytes(b)
		if err == nil {
			b = out
		}
		d.Converted = true
	}
	if d.LineEnds != "LF" {
		b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
		b = bytes.ReplaceAll(b, []byte("\r"), []byte("\n"))
		d.Converted = true
	}
	d.Text = b
	return d
}

func TestDecodeSameAsBefore(t *testing.T) {
	var all []byte
	for c := 0; c < 256; c++ {
		all = append(all, byte(c))
	}
	inputs := map[string][]byte{
		"every byte":         all,
		"mac cr":             []byte("To,Text\rC\x99te d'Ivoire,R\x8Epublique\r"),
		"windows crlf":       []byte("To,Text\r\nC\xf4te d'Ivoire,R\xe9publique\r\n"),
		"windows lf":         []byte("a,\xe9t\xe9\nb,\x80\n"),
		"windows mixed ends": []byte("a,\xe9\r\nb\rc\n"),
		"utf-8 cr":           []byte("\xef\xbb\xbfTo,Text\rCôte,é\r"),
		"utf-8 crlf":         []byte("a,é\r\nb,ü\r\n"),
		"utf-8 lf":           []byte("a,é\nb\r,c\n"),
		"empty":              {},
		"lone cr at the end": []byte("x\xe9\r"),
	}
	files, _ := filepath.Glob("../../shared/data/upr/raw/*.csv")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[filepath.Base(f)] = b
	}
	for name, in := range inputs {
		got, want := Decode(in), decodeBefore(in)
		if !bytes.Equal(got.Text, want.Text) || got.Encoding != want.Encoding || got.LineEnds != want.LineEnds || got.Converted != want.Converted {
			t.Errorf("%s: %s/%s/%v %q, before %s/%s/%v %q", name, got.Encoding, got.LineEnds, got.Converted, firstDiff(got.Text, want.Text),
				want.Encoding, want.LineEnds, want.Converted, firstDiff(want.Text, got.Text))
		}
	}
	if len(files) == 0 {
		t.Log("UPR Info raw files absent: compared on the small inputs only")
	}
}

func firstDiff(a, b []byte) []byte {
	for i := range a {
		if i >= len(b) || a[i] != b[i] {
			return a[max(0, i-10):min(len(a), i+10)]
		}
	}
	return nil
}

// The keys of earlier imports must not change: oneSpaced gives what
// strings.Join(strings.Fields(s), " ") gave, on the real texts too.
func TestOneSpaced(t *testing.T) {
	texts := []string{"", " ", "a", "a b", " a", "a ", "a  b", "a\tb", "a\nb", "a\u00a0b", "é b", "a b c d", "  ", "x\r"}
	files, _ := filepath.Glob("../../shared/data/upr/raw/*.csv")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		texts = append(texts, strings.Split(string(Decode(b).Text), ",")...)
	}
	for _, s := range texts {
		if got, want := oneSpaced(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Fatalf("oneSpaced(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestImportUHRIBulk: a UHRI export large enough for the bulk path, with
// an annotation repeated (the later one wins), imported on both stores;
// on SQLite the full-text index agrees with the table and the search's
// facet index follows the import as one change, without a full rebuild.
func TestImportUHRIBulk(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := d.Write(ctx, db.System, func(tx *db.Tx) error { seedCountries(t, ctx, tx); return nil }); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		b.WriteString("[")
		for i := 0; i < 700; i++ {
			fmt.Fprintf(&b, `{"AnnotationId":"n%d","Symbol":"CAT/C/AFG/CO/%d","Text":"Investigate every allegation of torture, case %d.","Countries":["Afghanistan","France"],"Themes":["Torture"],"Body":"CAT"},`, i, i, i)
		}
		b.WriteString(`{"AnnotationId":"n3","Symbol":"CAT/C/AFG/CO/3","Text":"Investigate every allegation of genocide, case 3.","Countries":["Afghanistan"],"Themes":["Genocide"],"Body":"CAT"}]`)
		f := writeFile(t, "big.json", []byte(b.String()))
		d.Read(ctx, db.System, func(tx *db.Tx) error { _, err := Search(ctx, tx, Filter{Query: "torture"}); return err })
		builds := indexBuilds.Load()
		res, err := ImportUHRI(ctx, d, []string{f}, nil)
		if err != nil || res.Inserted != 1400 || res.Updated != 1 || res.Rejected != 0 {
			t.Fatalf("import: %+v %v", res, err)
		}
		d.Read(ctx, db.System, func(tx *db.Tx) error {
			if d.Dialect == db.SQLite {
				ftsIntegrity(t, ctx, tx)
			}
			r, err := Search(ctx, tx, Filter{Query: "torture", State: "AFG"})
			if err != nil || r.Total != 699 {
				t.Errorf("torture in AFG: %d %v", r.Total, err)
			}
			r, err = Search(ctx, tx, Filter{Query: "genocide"})
			if err != nil || r.Total != 1 || r.Results[0].StateUnderReview != "AFG" || r.Results[0].Themes[0] != "Genocide" {
				t.Errorf("the repeated annotation: %+v %v", r, err)
			}
			if d.Dialect == db.SQLite && indexBuilds.Load() != builds {
				t.Errorf("%d full builds of the facet index after the import, want none", indexBuilds.Load()-builds)
			}
			return nil
		})
		// Again: nothing new. The repeated annotation is written twice, as
		// two saves in a row would (first the earlier text, then the later).
		res, err = ImportUHRI(ctx, d, []string{f}, nil)
		if err != nil || res.Unchanged != 1399 || res.Updated != 2 || res.Inserted != 0 {
			t.Fatalf("again: %+v %v", res, err)
		}
		d.Read(ctx, db.System, func(tx *db.Tx) error {
			if d.Dialect == db.SQLite {
				ftsIntegrity(t, ctx, tx)
			}
			r, err := Search(ctx, tx, Filter{Query: "genocide", NoFacets: true})
			if err != nil || r.Total != 1 {
				t.Errorf("after the second import: %d %v", r.Total, err)
			}
			return nil
		})
	})
}

// The key of a row must never change, or a re-import would duplicate
// every record: two rows of the real export with the keys the first
// version of the import gave them.
func TestSourceKeyStable(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	var cr *country.Resolver
	if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		for _, c := range []country.Country{{Code: "AFG", Name: "Afghanistan"}, {Code: "AUT", Name: "Austria"}, {Code: "YEM", Name: "Yemen"}} {
			if _, err := country.Upsert(ctx, tx, c); err != nil {
				return err
			}
		}
		var err error
		cr, err = country.LoadResolver(ctx, tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	res := &importer.Result{}
	for _, c := range []struct{ to, text, from, response, key string }{
		{"Afghanistan", "Enact legislation and take effective measures to protect and promote women's rights, especially with regard to forced marriages, honour killings and access to education for all girls.",
			"Austria", "Accepted", "acd618cf8edeff35e01745a7932c656c"},
		// Spacing is normalised before hashing: the same key.
		{"Yemen", " It is committed to  supporting the higher national anti-corruption authority in\ndischarging its mandate to the full ", "", "Voluntary Pledge",
			"b6175138b374d39702ef82e8fa701b15"},
	} {
		row := map[string]string{"To": c.to, "Text": c.text, "From": c.from, "Response": c.response, "Action": "", "Issue": "", "Session": "5"}
		x, ok := uprRow(2, func(col string) string { return row[col] }, cr, res)
		if !ok || x.SourceKey != c.key {
			t.Errorf("%s: key %v, want %q (%+v)", c.to, x, c.key, res.Errors)
		}
	}
}

func TestLessGCRestores(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	a := lessGC()
	b := lessGC()
	a()
	if got := debug.SetGCPercent(400); got != 400 {
		t.Errorf("while one import still runs: GOGC %d, want 400", got)
	}
	b()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after both: GOGC %d, want 100 back", got)
	}
}

func TestNormThemes(t *testing.T) {
	for in, want := range map[string]string{" b|a|b|| a |c": "a|b|c", "": "", "x": "x", " | ": "", "z|y|z|y": "y|z"} {
		got := normThemes(strings.Split(in, "|"))
		if got == nil || joinList(got) != want {
			t.Errorf("normThemes(%q) = %q, want %q", in, got, want)
		}
	}
}
