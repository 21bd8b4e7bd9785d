package recommend

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"vigil/db"
	"vigil/db/dbtest"
)

// porterWords exercise every rule of the stemmer, and the corners where
// FTS5's variant differs from the textbook (y after a vowel, short words,
// suffixes as long as the word).
var porterWords = strings.Fields(`caresses ponies ties caress cats feed agreed plastered bled motoring sing
conflated troubled sized hopping tanned falling hissing fizzed failing filing happy sky relational
conditional rational valenci hesitanci digitizer conformabli radicalli differentli vileli analogousli
vietnamization predication operator feudalism decisiveness hopefulness callousness formaliti sensitiviti
sensibiliti triplicate formative formalize electriciti electrical hopeful goodness revival allowance
inference airliner gyroscopic adjustable defensible irritant replacement adjustment dependent adoption
homologou communism activate angulariti homologous effective bowdlerize probate rate cease controll roll
eed ied ies aed xed ing ying eying dying lying says yes eyes played playing enjoyed toy toys boy boys
discriminate discrimination discriminatory women woman children child persons people rights right
disappear disappearance disappeared disappearances enforced enforcement torture tortured torturing
genocide genocidal impunity education educational penalty penalties moratorium statute statutes
defenders defend defending violence violent abolish abolished abolition ratify ratification ratified
cooperate cooperation cooperating implement implementation implemented ensure ensures ensuring
generalization generalizations oscillators rationalities agreements bbbeing ssss sss ss abs
a an to of by be ox 2019 a1b2 covid19 3rd x y z yy yyy ayy yay`)

// ftsVocab are the words the seeded texts are made of.
var ftsVocab = append(slices.Clone(porterWords), strings.Fields(`the state should take measures protect human
rights council review national institution law prison detention justice court international criminal
rome war crimes against humanity`)...)

// seedFTS fills the search index through Save in many transactions (many
// FTS5 segments), with tiny pages so that doclists and position lists run
// across pages, then updates and deletes rows (delete markers in newer
// segments).
func seedFTS(t *testing.T, ctx context.Context, d *db.DB) {
	t.Helper()
	if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO recommendations_fts(recommendations_fts, rank) VALUES('pgsz', 64)")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	seed := uint32(7)
	rnd := func(n int) int {
		seed = seed*1664525 + 1013904223
		return int(seed>>8) % n
	}
	text := func(i int) string {
		var b strings.Builder
		n := 3 + rnd(25)
		if i%37 == 0 {
			n = 300 // long position lists
		}
		for k := 0; k < n; k++ {
			if k > 0 {
				b.WriteString(" ")
			}
			if i%37 == 0 && k%2 == 0 {
				b.WriteString("torture")
				continue
			}
			b.WriteString(ftsVocab[rnd(len(ftsVocab))])
		}
		return b.String()
	}
	var ids []string
	num := 0
	for batch := 0; batch < 14; batch++ {
		if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			for k := 0; k < 45; k++ {
				r := Recommendation{Source: "ftstest", SourceKey: fmt.Sprint(num), Mechanism: "upr", StateUnderReview: "FRA", Text: text(num), Response: "noted"}
				num++
				if _, err := Save(ctx, tx, &r); err != nil {
					return err
				}
				ids = append(ids, r.ID)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	// Updates (a row's old terms deleted, new ones added) and deletions,
	// in a few more transactions.
	for round := 0; round < 3; round++ {
		if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			for k := 0; k < 25; k++ {
				i := rnd(len(ids))
				if _, err := tx.Exec(ctx, "UPDATE recommendations SET search_text = ? WHERE id = ?", Fold(text(num)), ids[i]); err != nil {
					return err
				}
				num++
			}
			for k := 0; k < 8; k++ {
				i := rnd(len(ids))
				if _, err := tx.Exec(ctx, "DELETE FROM recommendation_themes WHERE recommendation_id = ?", ids[i]); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, "DELETE FROM recommendations WHERE id = ?", ids[i]); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// ftsQueries are the queries compared: every vocabulary word, prefixes,
// phrases and boolean combinations.
func ftsQueries() []string {
	var qs []string
	for i, w := range ftsVocab {
		qs = append(qs, w)
		if len(w) > 4 {
			qs = append(qs, w[:len(w)-2]+"*", w[:3]+"*")
		}
		next := ftsVocab[(i+1)%len(ftsVocab)]
		qs = append(qs, `"`+w+" "+next+`"`, w+" OR "+next, w+" NOT "+next, w+" "+next)
	}
	return append(qs, `"torture torture"`, `"torture torture torture"`, `(genocide OR "war crimes") court`, `"death penalty" AND moratorium`,
		`"the state should"`, `"human rights" NOT council`, `torture OR disappear*`, "zzz*", "nothingmatches", `"women rights"`)
}

// compareFTS checks, for every query, that the index read directly gives
// exactly the rows FTS5's MATCH gives.
func compareFTS(t *testing.T, ctx context.Context, d *db.DB, label string) {
	t.Helper()
	checked, nonEmpty := 0, 0
	err := d.Read(ctx, db.System, func(tx *db.Tx) error {
		for _, q := range ftsQueries() {
			tree, err := parse(q)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			tok, _, err := searchTokens(ctx, tx)
			if err != nil {
				return err
			}
			got, ok, err := directMatch(ctx, tx, tok, tree)
			if err != nil {
				return err
			}
			if !ok {
				t.Errorf("%s: %q not read directly", label, q)
				continue
			}
			rows, err := tx.Query(ctx, "SELECT rowid FROM recommendations_fts WHERE recommendations_fts MATCH ? ORDER BY rowid", tree.fts5())
			if err != nil {
				return err
			}
			var want []int32
			for rows.Next() {
				var n int32
				rows.Scan(&n)
				want = append(want, n)
			}
			rows.Close()
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("%s: %q: direct %d rows %v, MATCH %d rows %v", label, q, len(got), head(got), len(want), head(want))
			}
			checked++
			if len(want) > 0 {
				nonEmpty++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d queries, %d match something", label, checked, nonEmpty)
	if nonEmpty < checked/2 {
		t.Fatalf("%s: only %d of %d queries match anything: the test data is too thin", label, nonEmpty, checked)
	}
}

func head(s []int32) []int32 {
	if len(s) > 8 {
		return s[:8]
	}
	return s
}

// TestFTSDirectAgreesWithMatch: reading the FTS5 index directly gives the
// same rows as MATCH for every query, with many segments, pages too
// small for their doclists, deletions and updates; again during an
// incremental merge (segments partly merged and trimmed); and again after
// merging everything into one segment.
func TestFTSDirectAgreesWithMatch(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	seedFTS(t, ctx, d)
	var segs int
	d.Read(ctx, db.System, func(tx *db.Tx) error {
		var st []byte
		if err := tx.QueryRow(ctx, "SELECT block FROM recommendations_fts_data WHERE id = 10").Scan(&st); err != nil {
			t.Fatal(err)
		}
		s, err := ftsStructure(st)
		if err != nil {
			t.Fatal(err)
		}
		segs = len(s)
		return nil
	})
	if segs < 3 {
		t.Fatalf("only %d segments: the test wants several", segs)
	}
	t.Logf("%d segments", segs)
	compareFTS(t, ctx, d, fmt.Sprintf("%d segments", segs))
	for _, step := range []string{"merge", "merge", "optimize"} {
		if err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			cmd := "INSERT INTO recommendations_fts(recommendations_fts, rank) VALUES('merge', 3)"
			if step == "optimize" {
				cmd = "INSERT INTO recommendations_fts(recommendations_fts) VALUES('optimize')"
			}
			_, err := tx.Exec(ctx, cmd)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		compareFTS(t, ctx, d, "after "+step)
	}
}

// TestPorterAgreesWithFTS5 indexes each word alone and asks FTS5 for it:
// the row must be found under the term porterStem gives, and the stem of
// the word must be the term FTS5 stored.
func TestPorterAgreesWithFTS5(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "CREATE VIRTUAL TABLE temp.stemtest USING fts5(w, tokenize = 'porter unicode61 remove_diacritics 2')"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "CREATE VIRTUAL TABLE temp.stemvocab USING fts5vocab(stemtest, 'row')"); err != nil {
			return err
		}
		for i, w := range porterWords {
			if _, err := tx.Exec(ctx, "DELETE FROM stemtest"); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "INSERT INTO stemtest(rowid, w) VALUES (?, ?)", i+1, w); err != nil {
				return err
			}
			var term string
			if err := tx.QueryRow(ctx, "SELECT term FROM stemvocab").Scan(&term); err != nil {
				return fmt.Errorf("%s: %w", w, err)
			}
			if got := porterStem(w); got != term {
				t.Errorf("porterStem(%q) = %q, FTS5 indexes %q", w, got, term)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFTSDirectSeesOwnTransaction: rows written earlier in the same
// transaction (still in FTS5's memory) are found, as MATCH finds them.
func TestFTSDirectSeesOwnTransaction(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		r := Recommendation{Source: "t", SourceKey: "1", Mechanism: "upr", StateUnderReview: "FRA", Text: "Protect quokkas and women.", Response: "noted"}
		if _, err := Save(ctx, tx, &r); err != nil {
			return err
		}
		for _, q := range []string{"quokka", `"protect quokkas"`, "quok*"} {
			tree, _ := parse(q)
			tok, _, err := searchTokens(ctx, tx)
			if err != nil {
				return err
			}
			got, ok, err := directMatch(ctx, tx, tok, tree)
			if err != nil {
				return err
			}
			if !ok || len(got) != 1 || int64(got[0]) != r.Num {
				t.Errorf("%s: %v %v, want [%d]", q, got, ok, r.Num)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSearchSameWithAndWithoutDirectReading: Search answers the same
// (results, order, total, facets) whether the matches are read from the
// index directly or through MATCH, the way it falls back to; and the
// direct way is the one taken when nothing prevents it.
func TestSearchSameWithAndWithoutDirectReading(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	a, _ := seedVaried(t, ctx, d, 120)
	defer ftsDirectOff.Store(false)
	for _, q := range []string{"torture", "women", `"death penalty"`, "torture OR genocide", "women NOT girls", "disappear*", "(education OR minorities) country", "nothingmatches"} {
		var got [2]string
		for i, off := range []bool{false, true} {
			ftsDirectOff.Store(off)
			ForgetSearchCache()
			before := ftsDirectReads.Load()
			err := d.Read(ctx, a.ID, func(tx *db.Tx) error {
				res, err := Search(ctx, tx, Filter{Query: q, Institution: a.ID, Clearance: 2})
				if err != nil {
					return err
				}
				b, _ := json.Marshal(res)
				got[i] = string(b)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if read := ftsDirectReads.Load() > before; read == off {
				t.Errorf("%s: direct reading off=%v, read directly=%v", q, off, read)
			}
		}
		if got[0] != got[1] {
			t.Errorf("%s:\n direct %s\n MATCH  %s", q, got[0], got[1])
		}
	}
}
