package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"vigil/db"
	"vigil/recommend"
)

// vigil search recommendations QUERY [--state XXX] [--limit N] [--json]:
// full-text search of the recommendations tracker (package recommend; the
// query language is described there). Linking package recommend here also
// registers its import kinds, upr-info and uhri.

func init() {
	register(command{"search", "search records (vigil search recommendations QUERY ...)", runSearch})
}

func runSearch(ctx context.Context, args []string) error {
	fs := newFlags("search", "search recommendations QUERY [--state XXX] [--mechanism M] [--theme T] [--response R] [--cycle N] [--limit N] [--json]")
	sf := addStoreFlags(fs)
	state := fs.String("state", "", "only recommendations to this State under review (ISO alpha-3, e.g. AFG)")
	mechanism := fs.String("mechanism", "", "only this mechanism: "+strings.Join(recommend.Mechanisms, ", "))
	theme := fs.String("theme", "", "only this theme (e.g. \"Enforced disappearances\")")
	response := fs.String("response", "", "only this response: "+strings.Join(recommend.Responses, ", "))
	cycle := fs.Int("cycle", 0, "only this UPR cycle")
	limit := fs.Int("limit", 20, "at most this many results")
	asJSON := fs.Bool("json", false, `print {"total": N, "results": [...]} as JSON`)
	facets := fs.Bool("facets", false, "with --json, add facet counts")
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprint(out, `Usage: vigil search recommendations QUERY [flags]

QUERY words are stemmed and folded (case, accents): women finds woman.
  "death penalty"   words next to each other     torture OR ill    either
  torture NOT death  (or -death) exclude          disappear*        prefix
  (a OR b) c         grouping; AND is implied between words

Flags:
`)
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 || fs.Arg(0) != "recommendations" {
		return usagef("search what? the only kind is: recommendations")
	}
	if err := parse(fs, fs.Args()[1:]); err != nil {
		return err
	}
	// Flags may follow the query as well as precede it.
	var words []string
	rest := fs.Args()
	for len(rest) > 0 {
		words = append(words, rest[0])
		if err := parse(fs, rest[1:]); err != nil {
			return err
		}
		rest = fs.Args()
	}
	query := strings.Join(words, " ")
	if *limit < 1 || *limit > 10000 {
		return usagef("--limit must be between 1 and 10000")
	}
	if *mechanism != "" && !inList(recommend.Mechanisms, *mechanism) {
		return usagef("--mechanism must be one of %s", strings.Join(recommend.Mechanisms, ", "))
	}
	if *response != "" && !inList(recommend.Responses, *response) {
		return usagef("--response must be one of %s", strings.Join(recommend.Responses, ", "))
	}
	if _, err := recommend.MatchExpr(db.SQLite, query); err != nil {
		return usagef("query: %v", err)
	}
	d, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	var res recommend.Results
	f := recommend.Filter{Query: query, State: *state, Mechanism: *mechanism, Theme: *theme, Response: *response, Cycle: *cycle,
		Limit: *limit, NoFacets: !(*asJSON && *facets)}
	err = d.Read(ctx, db.System, func(tx *db.Tx) error {
		var err error
		res, err = recommend.Search(ctx, tx, f)
		return err
	})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(res)
	}
	fmt.Printf("%d recommendation(s) match; showing %d\n", res.Total, len(res.Results))
	for _, r := range res.Results {
		fmt.Printf("\n%s  %s  session %s  from %s  %s\n  %s\n", r.ID, r.StateUnderReview, r.Session, r.RecommendingState, r.Response, r.Text)
	}
	return nil
}

func inList(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
