package recommend

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"

	"vigil/db"
	"vigil/sensitivity"
)

// Filter narrows a search. Empty fields do not filter.
type Filter struct {
	Query     string // the query language of query.go
	State     string // ISO alpha-3 of the State under review
	Mechanism string
	Theme     string
	Response  string
	Cycle     int
	// Status filters on the institution's own (NHRI) assessment:
	// fully, partially, not_implemented, unknown, or "unassessed".
	Status      string
	Institution string // whose assessments Status and the status facet read, and whose own recommendations are included
	Clearance   sensitivity.Level
	Limit       int
	Offset      int
	NoFacets    bool
}

// Facets are the counts of the matching records by each dimension.
type Facets struct {
	Mechanism []Count `json:"mechanism"`
	State     []Count `json:"state"`
	Theme     []Count `json:"theme"`
	Response  []Count `json:"response"`
	Status    []Count `json:"status"`
	Cycle     []Count `json:"cycle"`
}

// Results is one page of a search.
type Results struct {
	Total   int              `json:"total"`
	Results []Recommendation `json:"results"`
	Facets  *Facets          `json:"facets,omitempty"`
}

// Statuses of implementation an assessment can give.
var Statuses = []string{"fully", "partially", "not_implemented", "unknown"}

// latestNHRI selects, for one institution, each recommendation's most
// recent independent assessment that a reader of a given clearance may
// see: both the assessment chosen and the later ones that would replace
// it are limited to that clearance, so a reader's status is that of the
// latest assessment visible to them and never reveals one above it. Its
// arguments are latestNHRIArgs.
const latestNHRI = `SELECT a.recommendation_id, a.status FROM rec_assessments a WHERE a.institution_id = ? AND a.source = 'nhri' AND a.sensitivity <= ?
	AND NOT EXISTS (SELECT 1 FROM rec_assessments b WHERE b.institution_id = a.institution_id AND b.recommendation_id = a.recommendation_id
	AND b.source = 'nhri' AND b.sensitivity <= ? AND (b.assessed_on > a.assessed_on OR (b.assessed_on = a.assessed_on AND b.created_at > a.created_at)))`

// latestNHRIArgs are the arguments of latestNHRI.
func latestNHRIArgs(institution string, cl sensitivity.Level) []any {
	c := int(statusClearance(cl))
	return []any{institution, c, c}
}

// statusClearance is the clearance assessments are read with: as in
// Scope.cond, an invalid clearance reads as Public.
func statusClearance(cl sensitivity.Level) sensitivity.Level {
	if !cl.Valid() {
		return sensitivity.Public
	}
	return cl
}

// where builds the WHERE clause shared by the result, count and facet
// queries. skip names a facet whose own filter is left out, so that a
// facet shows the other values one could switch to.
func where(d db.Dialect, f Filter, match string, skip string) (string, []any) {
	sc, sargs := Scope{Institution: f.Institution, Clearance: f.Clearance}.cond()
	conds := []string{sc}
	args := append([]any{}, sargs...)
	if match != "" {
		if d == db.Postgres {
			conds = append(conds, "r.search_tsv @@ to_tsquery('english', ?)") // stored and indexed (migration 0017)
		} else {
			conds = append(conds, "recommendations_fts MATCH ?")
		}
		args = append(args, match)
	}
	add := func(facet, cond string, v any) {
		if facet != skip {
			conds = append(conds, cond)
			args = append(args, v)
		}
	}
	if f.State != "" {
		add("state", "r.state_under_review = ?", strings.ToUpper(f.State))
	}
	if f.Mechanism != "" {
		add("mechanism", "r.mechanism = ?", f.Mechanism)
	}
	if f.Response != "" {
		add("response", "r.response = ?", f.Response)
	}
	if f.Cycle > 0 {
		add("cycle", "r.cycle = ?", f.Cycle)
	}
	if f.Theme != "" {
		add("theme", "r.id IN (SELECT recommendation_id FROM recommendation_themes WHERE theme = ?)", f.Theme)
	}
	if f.Status != "" && skip != "status" {
		if f.Status == "unassessed" {
			conds = append(conds, "r.id NOT IN (SELECT recommendation_id FROM rec_assessments WHERE institution_id = ? AND source = 'nhri' AND sensitivity <= ?)")
			args = append(args, f.Institution, int(statusClearance(f.Clearance)))
		} else {
			conds = append(conds, "r.id IN (SELECT l.recommendation_id FROM ("+latestNHRI+") l WHERE l.status = ?)")
			args = append(args, latestNHRIArgs(f.Institution, f.Clearance)...)
			args = append(args, f.Status)
		}
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// MatchExpr turns a user query into the store's full-text expression.
func MatchExpr(d db.Dialect, query string) (string, error) {
	if strings.TrimSpace(query) == "" {
		return "", nil
	}
	n, err := parse(query)
	if err != nil {
		return "", err
	}
	if d == db.Postgres {
		return n.tsquery(), nil
	}
	return n.fts5(), nil
}

// Search finds recommendations matching f, newest first, with the total
// and (unless NoFacets) facet counts over all matches. On SQLite the
// in-process index of index.go counts; on PostgreSQL the store does.
func Search(ctx context.Context, q db.Q, f Filter) (Results, error) {
	match, err := MatchExpr(q.Dialect(), f.Query)
	if err != nil {
		return Results{}, err
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	if q.Dialect() == db.SQLite {
		return indexSearch(ctx, q, f, match)
	}
	return searchSQL(ctx, q, f, match)
}

// searchSQL is the search done by SQL queries alone: the PostgreSQL path,
// and on SQLite the reference the index is tested against.
func searchSQL(ctx context.Context, q db.Q, f Filter, match string) (Results, error) {
	var out Results
	w, args := where(q.Dialect(), f, match, "")
	if match != "" && !f.NoFacets {
		// One pass over the matching rows gives the total and every facet;
		// much cheaper than a grouped query per facet, each re-running the
		// full-text match.
		// It also gives the page (the newest matches passing every filter),
		// so the match is not run a second time to order it.
		fc, total, page, err := onePassFacets(ctx, q, f, match)
		if err != nil {
			return out, err
		}
		out.Facets, out.Total = fc, total
		out.Results, err = readNums(ctx, q, Scope{Institution: f.Institution, Clearance: f.Clearance}, page)
		return out, err
	} else if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM "+recFrom(q.Dialect(), match)+w, args...).Scan(&out.Total); err != nil {
		return out, err
	}
	rows, err := q.Query(ctx, "SELECT "+prefixed(recColumns)+" FROM "+recFrom(q.Dialect(), match)+w+" ORDER BY "+recOrder(q.Dialect(), match)+" LIMIT ? OFFSET ?",
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	out.Results = []Recommendation{}
	for rows.Next() {
		r, err := scanRec(rows)
		if err != nil {
			return out, err
		}
		out.Results = append(out.Results, r)
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	rows.Close()
	if f.NoFacets || out.Facets != nil {
		return out, nil
	}
	fc := &Facets{}
	group := func(facet, col string, dst *[]Count, order string) error {
		w, args := where(q.Dialect(), f, match, facet)
		var err error
		*dst, err = counts(ctx, q, "SELECT "+col+", COUNT(*) FROM "+recFrom(q.Dialect(), match)+w+" GROUP BY "+col+" ORDER BY "+order, args...)
		return err
	}
	if err := group("mechanism", "r.mechanism", &fc.Mechanism, "2 DESC, 1"); err != nil {
		return out, err
	}
	if err := group("state", "r.state_under_review", &fc.State, "2 DESC, 1"); err != nil {
		return out, err
	}
	if err := group("response", "r.response", &fc.Response, "2 DESC, 1"); err != nil {
		return out, err
	}
	cycles := []Count{}
	w2, a2 := where(q.Dialect(), f, match, "cycle")
	rows2, err := q.Query(ctx, "SELECT r.cycle, COUNT(*) FROM "+recFrom(q.Dialect(), match)+w2+" GROUP BY r.cycle ORDER BY r.cycle", a2...)
	if err != nil {
		return out, err
	}
	for rows2.Next() {
		var c, n int
		if err := rows2.Scan(&c, &n); err != nil {
			rows2.Close()
			return out, err
		}
		cycles = append(cycles, Count{Value: strconv.Itoa(c), N: n})
	}
	rows2.Close()
	fc.Cycle = cycles
	wt, at := where(q.Dialect(), f, match, "theme")
	fc.Theme, err = counts(ctx, q, "SELECT t.theme, COUNT(*) FROM recommendation_themes t JOIN recommendations r ON r.id = t.recommendation_id"+wt+
		" GROUP BY t.theme ORDER BY 2 DESC, 1", at...)
	if err != nil {
		return out, err
	}
	if f.Institution != "" {
		ws, as := where(q.Dialect(), f, match, "status")
		st, err := counts(ctx, q, "SELECT l.status, COUNT(*) FROM ("+latestNHRI+") l JOIN recommendations r ON r.id = l.recommendation_id"+ws+
			" GROUP BY l.status ORDER BY 2 DESC, 1", append(latestNHRIArgs(f.Institution, f.Clearance), as...)...)
		if err != nil {
			return out, err
		}
		assessed := 0
		for _, c := range st {
			assessed += c.N
		}
		total := out.Total
		if f.Status != "" { // the total was narrowed by status; recount without it
			wa, aa := where(q.Dialect(), f, match, "status")
			if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM "+recFrom(q.Dialect(), match)+wa, aa...).Scan(&total); err != nil {
				return out, err
			}
		}
		m := map[string]int{}
		for _, c := range st {
			m[c.Value] = c.N
		}
		if total-assessed > 0 {
			m["unassessed"] = total - assessed
		}
		fc.Status = sorted(m)
	}
	out.Facets = fc
	return out, nil
}

func prefixed(cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = "r." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// onePassFacets reads the facet columns of every full-text match once
// (scope applied, other filters not) and counts in Go: a row counts in the
// total when it passes every filter, and in a facet when it passes every
// filter but that facet's own.
func onePassFacets(ctx context.Context, q db.Q, f Filter, match string) (*Facets, int, []int32, error) {
	status := map[string]string{}
	if f.Institution != "" {
		rows, err := q.Query(ctx, latestNHRI, latestNHRIArgs(f.Institution, f.Clearance)...)
		if err != nil {
			return nil, 0, nil, err
		}
		for rows.Next() {
			var id, st string
			if err := rows.Scan(&id, &st); err != nil {
				rows.Close()
				return nil, 0, nil, err
			}
			status[id] = st
		}
		rows.Close()
	}
	w, args := where(q.Dialect(), Filter{Query: f.Query, Institution: f.Institution, Clearance: f.Clearance}, match, "")
	rows, err := q.Query(ctx, "SELECT r.id, r.num, r.mechanism, r.state_under_review, r.response, r.cycle, r.themes FROM "+recFrom(q.Dialect(), match)+w, args...)
	if err != nil {
		return nil, 0, nil, err
	}
	defer rows.Close()
	mech, state, theme, resp, stat, cyc := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[int]int{}
	var nums []int32 // of the rows passing every filter
	total := 0
	wantState := strings.ToUpper(f.State)
	for rows.Next() {
		var id, m, st, rs, th string
		var c int
		var num int64
		if err := rows.Scan(&id, &num, &m, &st, &rs, &c, &th); err != nil {
			return nil, 0, nil, err
		}
		sv := status[id]
		if sv == "" {
			sv = "unassessed"
		}
		okM := f.Mechanism == "" || m == f.Mechanism
		okS := wantState == "" || st == wantState
		okR := f.Response == "" || rs == f.Response
		okC := f.Cycle == 0 || c == f.Cycle
		okT := f.Theme == "" || hasTheme(th, f.Theme)
		okV := f.Status == "" || sv == f.Status
		all := okM && okS && okR && okC && okT && okV
		if all {
			total++
			if num < 0 || num > 1<<31-1 {
				return nil, 0, nil, errors.New("recommend: a recommendation number beyond the search's range")
			}
			nums = append(nums, int32(num))
		}
		if okS && okR && okC && okT && okV {
			mech[m]++
		}
		if okM && okR && okC && okT && okV {
			state[st]++
		}
		if okM && okS && okC && okT && okV {
			resp[rs]++
		}
		if okM && okS && okR && okT && okV {
			cyc[c]++
		}
		if okM && okS && okR && okC && okT && f.Institution != "" {
			stat[sv]++
		}
		if okM && okS && okR && okC && okV && th != "" {
			for _, t := range strings.Split(th, "|") {
				theme[t]++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, nil, err
	}
	fc := &Facets{Mechanism: sorted(mech), State: sorted(state), Theme: sorted(theme), Response: sorted(resp), Status: sorted(stat)}
	fc.Cycle = []Count{}
	for c, n := range cyc {
		fc.Cycle = append(fc.Cycle, Count{Value: strconv.Itoa(c), N: n})
	}
	sort.Slice(fc.Cycle, func(i, j int) bool {
		a, _ := strconv.Atoi(fc.Cycle[i].Value)
		b, _ := strconv.Atoi(fc.Cycle[j].Value)
		return a < b
	})
	if f.Institution == "" {
		fc.Status = nil
	}
	// The page: newest first.
	slices.SortFunc(nums, func(a, b int32) int { return int(b) - int(a) })
	page := nums[min(f.Offset, len(nums)):]
	page = page[:min(f.Limit, len(page))]
	return fc, total, page, nil
}

func hasTheme(list, t string) bool {
	for _, x := range strings.Split(list, "|") {
		if x == t {
			return true
		}
	}
	return false
}

// sorted orders counts by number, largest first, then by value.
func sorted(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for v, n := range m {
		out = append(out, Count{Value: v, N: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].Value < out[j].Value
	})
	return out
}

// recFrom is the FROM clause for a search. On SQLite with a full-text
// match the index drives the join (CROSS JOIN fixes the order), so only
// matching rows are read; scanning the table and testing each row against
// the match would read all of it.
func recFrom(d db.Dialect, match string) string {
	if match != "" && d != db.Postgres {
		return "recommendations_fts CROSS JOIN recommendations r ON r.num = recommendations_fts.rowid"
	}
	return "recommendations r"
}

// recOrder is newest first. On SQLite with a match the order comes from
// the full-text index itself (its rowid is num), so the first page reads
// only its own rows instead of sorting every match.
func recOrder(d db.Dialect, match string) string {
	if match != "" && d != db.Postgres {
		return "recommendations_fts.rowid DESC"
	}
	return "r.num DESC"
}
