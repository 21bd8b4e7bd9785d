package recommend

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"vigil/db"
	"vigil/sensitivity"
)

// The SQLite search does not join the full-text matches to the
// recommendations table. The matching rowids (= num) are read from FTS5's
// own index tables (search_fts.go; FTS5's MATCH, one string of rowids, when
// that cannot be done); an in-process index holds, for every num, the few small values
// the filters and facets need (owner, level, mechanism, State, response,
// cycle, themes); counting is then a loop over small arrays, and only the
// rows of the page shown are read from the table.
//
// Freshness: migration 0013 keeps a random token in rec_search_fts_config
// that triggers change on every insert, update or delete of a recommendation.
// Each search reads the token in its own transaction and uses an index and
// match sets built under that same token, rebuilding them otherwise. A
// search can therefore never count from data older than what its own
// transaction sees.

// facetIndex is the facet columns of every recommendation, by num.
type facetIndex struct {
	token string
	// By num; a zero mech means no such row. One struct per row, so that
	// reading a match touches one cache line, not one per column.
	rows []facetRow
	// What set needs to add rows: value -> index, theme list -> combo.
	mechD, respD, stateD, ownerD, themeD *dict
	comboIdx                             map[string]uint32
	// Dictionaries: value of index i is dict[i] (index 0 unused).
	mechs, resps, states, owners, themeNames []string
	combos                                   [][]uint16 // theme lists, by 1-based index into themeNames
	// The same flattened for the search loop: combo c is
	// comboFlat[comboOff[c]:comboOff[c+1]].
	comboOff  []uint32
	comboFlat []uint16
	all       []int32 // every num, ascending
}

// facetRow holds one recommendation's facet values as 1-based indexes
// into the index's dictionaries.
type facetRow struct {
	mech, resp, sens, cycle uint8
	state, owner            uint16
	themes                  uint32 // index into combos
}

type dict struct {
	names []string
	idx   map[string]int
}

func newDict() *dict { return &dict{names: []string{""}, idx: map[string]int{}} }

func (d *dict) id(s string) int {
	if i, ok := d.idx[s]; ok {
		return i
	}
	d.names = append(d.names, s)
	d.idx[s] = len(d.names) - 1
	return len(d.names) - 1
}

func (d *dict) find(s string) int { return d.idx[s] } // 0 when absent

var searchCache = struct {
	sync.Mutex
	idx     map[string]*facetIndex  // by token; at most a few
	matches map[string]*matchEntry  // by token + "\x00" + FTS5 expression
	status  map[string]*statusEntry // by tokens + institution + clearance
	tick    int64
	size    int // int32s held in matches
}{idx: map[string]*facetIndex{}, matches: map[string]*matchEntry{}, status: map[string]*statusEntry{}}

type matchEntry struct {
	nums []int32
	used int64
}

// Cache limits: match sets are kept up to this many numbers in all (4
// bytes each), the least recently used dropped first.
const (
	maxCachedNums    = 4 << 20
	maxCachedIndexes = 2
	maxCachedStatus  = 16
)

// ForgetSearchCache drops the cached full-text match sets (not the facet
// index, the assessment statuses, nor the FTS5 term index of
// search_fts.go, which describe the data, not a query, and stay until it
// changes). The benchmark calls it to time searches whose words were not
// searched before.
func ForgetSearchCache() {
	searchCache.Lock()
	searchCache.matches = map[string]*matchEntry{}
	searchCache.size = 0
	searchCache.Unlock()
}

// searchTokens reads the tokens of the current state of recommendations
// and of assessments ("empty" before the first write).
func searchTokens(ctx context.Context, q db.Q) (rec, assess string, err error) {
	rec, assess = "empty", "empty"
	rows, err := q.Query(ctx, "SELECT kind, token FROM rec_search_fts_config ORDER BY kind, token")
	if err != nil {
		return "", "", err
	}
	defer rows.Close()
	for rows.Next() {
		var k, t string
		if err := rows.Scan(&k, &t); err != nil {
			return "", "", err
		}
		// Should a kind ever have two rows, both change together, so
		// their concatenation (in a fixed order) is the token.
		switch k {
		case "rec":
			rec = strings.TrimPrefix(rec, "empty") + t
		case "assess":
			assess = strings.TrimPrefix(assess, "empty") + t
		}
	}
	return rec, assess, rows.Err()
}

// statusNames are the independent-assessment values by their index in the
// status arrays; 0 is a recommendation without one.
var statusNames = append([]string{"unassessed"}, Statuses...)

type statusEntry struct {
	st   []numStatus // by num, highest first
	used int64
}

// numStatus is one assessed recommendation's latest independent status
// (index into statusNames).
type numStatus struct {
	num int32
	st  uint8
}

// loadStatus returns the institution's latest independent assessment of
// each recommendation it assessed, among those a reader of clearance cl
// may see, highest num first: the search walks matches in the same order,
// so it finds each status by merging, without a look-up per match. The
// clearance is part of the cache key: readers of different clearances
// see different statuses.
func loadStatus(ctx context.Context, q db.Q, ix *facetIndex, assessToken, institution string, cl sensitivity.Level) ([]numStatus, error) {
	cl = statusClearance(cl)
	key := ix.token + "\x00" + assessToken + "\x00" + institution + "\x00" + strconv.Itoa(int(cl))
	searchCache.Lock()
	if e, ok := searchCache.status[key]; ok {
		searchCache.tick++
		e.used = searchCache.tick
		searchCache.Unlock()
		return e.st, nil
	}
	searchCache.Unlock()
	var st []numStatus
	rows, err := q.Query(ctx, "SELECT r.num, l.status FROM ("+latestNHRI+") l JOIN recommendations r ON r.id = l.recommendation_id", latestNHRIArgs(institution, cl)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var num int64
		var v string
		if err := rows.Scan(&num, &v); err != nil {
			return nil, err
		}
		st = append(st, numStatus{num: int32(num), st: uint8(indexOf(statusNames, v))})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Slice(st, func(i, j int) bool { return st[i].num > st[j].num })
	searchCache.Lock()
	defer searchCache.Unlock()
	for len(searchCache.status) >= maxCachedStatus {
		delete(searchCache.status, oldest(searchCache.status, func(e *statusEntry) int64 { return e.used }))
	}
	searchCache.tick++
	searchCache.status[key] = &statusEntry{st: st, used: searchCache.tick}
	return st, nil
}

var buildMu sync.Mutex // one build at a time; others wait and reuse it

// indexBuilds counts full builds from the table (tests read it).
var indexBuilds atomic.Int64

func loadIndex(ctx context.Context, q db.Q, token string) (*facetIndex, error) {
	searchCache.Lock()
	ix := searchCache.idx[token]
	searchCache.Unlock()
	if ix != nil {
		return ix, nil
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	searchCache.Lock()
	ix = searchCache.idx[token]
	searchCache.Unlock()
	if ix != nil {
		return ix, nil
	}
	ix = indexFromDeltas(token)
	full := ix == nil
	if full {
		var err error
		if ix, err = buildIndex(ctx, q, token); err != nil {
			return nil, err
		}
		indexBuilds.Add(1)
	}
	searchCache.Lock()
	if len(searchCache.idx) >= maxCachedIndexes {
		searchCache.idx = map[string]*facetIndex{}
	}
	searchCache.idx[token] = ix
	// After a full build, match sets of other tokens are of no further
	// use; after a delta they may still be patched (patchMatches).
	for k := range searchCache.matches {
		if full && !strings.HasPrefix(k, token+"\x00") {
			searchCache.size -= len(searchCache.matches[k].nums)
			delete(searchCache.matches, k)
		}
	}
	for k := range searchCache.status {
		if !strings.HasPrefix(k, token+"\x00") {
			delete(searchCache.status, k)
		}
	}
	searchCache.Unlock()
	return ix, nil
}

func buildIndex(ctx context.Context, q db.Q, token string) (*facetIndex, error) {
	var maxNum sql.NullInt64
	if err := q.QueryRow(ctx, "SELECT MAX(num) FROM recommendations").Scan(&maxNum); err != nil {
		return nil, err
	}
	ix := newFacetIndex(token, int(maxNum.Int64)+1)
	// In table order: a plain scan, not a walk of the num index with a
	// table look-up per row.
	rows, err := q.Query(ctx, "SELECT num, owner_institution, sensitivity, mechanism, state_under_review, response, cycle, themes FROM recommendations")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d deltaRow
		if err := rows.Scan(&d.num, &d.owner, &d.sens, &d.mech, &d.state, &d.resp, &d.cycle, &d.themes); err != nil {
			return nil, err
		}
		if err := ix.set(d); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ix.finish()
	return ix, nil
}

// deltaRow is one recommendation's facet values as stored.
type deltaRow struct {
	num                              int64
	owner, mech, state, resp, themes string
	sens, cycle                      int
}

func rowOf(r *Recommendation) deltaRow {
	return deltaRow{num: r.Num, owner: r.Owner, mech: r.Mechanism, state: r.StateUnderReview, resp: r.Response,
		themes: joinList(r.Themes), sens: int(r.Sensitivity), cycle: r.Cycle}
}

func newFacetIndex(token string, n int) *facetIndex {
	ix := &facetIndex{token: token, rows: make([]facetRow, max(n, 1)), mechD: newDict(), respD: newDict(), stateD: newDict(), ownerD: newDict(),
		themeD: newDict(), comboIdx: map[string]uint32{"": 0}, combos: [][]uint16{nil}}
	ix.ownerD.id("") // shared texts: owner index 1
	return ix
}

// set records (or replaces) one row's values.
func (ix *facetIndex) set(d deltaRow) error {
	if d.num < 0 || d.num > 1<<28 {
		return errors.New("recommend: full-text key out of the facet index's range")
	}
	if len(ix.mechD.names) > 250 || len(ix.respD.names) > 250 || len(ix.stateD.names) > 65000 || len(ix.ownerD.names) > 65000 ||
		d.cycle > 255 || d.cycle < 0 || d.sens < 0 || d.sens > 255 || len(ix.combos) >= 1<<31 {
		return errors.New("recommend: facet values beyond the index's capacity")
	}
	if int(d.num) >= len(ix.rows) {
		ix.rows = append(ix.rows, make([]facetRow, int(d.num)+1-len(ix.rows))...)
	}
	fr := &ix.rows[d.num]
	fr.mech = uint8(ix.mechD.id(d.mech))
	fr.resp = uint8(ix.respD.id(d.resp))
	fr.sens = uint8(d.sens)
	fr.cycle = uint8(d.cycle)
	fr.state = uint16(ix.stateD.id(d.state))
	fr.owner = uint16(ix.ownerD.id(d.owner))
	c, ok := ix.comboIdx[d.themes]
	if !ok {
		var l []uint16
		for _, t := range strings.Split(d.themes, "|") {
			l = append(l, uint16(ix.themeD.id(t)))
		}
		ix.combos = append(ix.combos, l)
		c = uint32(len(ix.combos) - 1)
		ix.comboIdx[d.themes] = c
	}
	fr.themes = c
	return nil
}

// finish makes the index ready to read: names by index and every num.
func (ix *facetIndex) finish() {
	ix.all = ix.all[:0]
	for num := range ix.rows {
		if ix.rows[num].mech != 0 {
			ix.all = append(ix.all, int32(num))
		}
	}
	ix.mechs, ix.resps, ix.states, ix.owners, ix.themeNames = ix.mechD.names, ix.respD.names, ix.stateD.names, ix.ownerD.names, ix.themeD.names
	ix.comboOff, ix.comboFlat = make([]uint32, 0, len(ix.combos)+1), nil
	for _, c := range ix.combos {
		ix.comboOff = append(ix.comboOff, uint32(len(ix.comboFlat)))
		ix.comboFlat = append(ix.comboFlat, c...)
	}
	ix.comboOff = append(ix.comboOff, uint32(len(ix.comboFlat)))
}

// clone copies the index for changes, leaving ix as it is for the
// searches that still read it.
func (ix *facetIndex) clone(token string) *facetIndex {
	cp := func(d *dict) *dict {
		n := &dict{names: append([]string(nil), d.names...), idx: make(map[string]int, len(d.idx))}
		for k, v := range d.idx {
			n.idx[k] = v
		}
		return n
	}
	c := &facetIndex{token: token, rows: append([]facetRow(nil), ix.rows...), mechD: cp(ix.mechD), respD: cp(ix.respD), stateD: cp(ix.stateD),
		ownerD: cp(ix.ownerD), themeD: cp(ix.themeD), comboIdx: make(map[string]uint32, len(ix.comboIdx)), combos: append([][]uint16(nil), ix.combos...)}
	for k, v := range ix.comboIdx {
		c.comboIdx[k] = v
	}
	return c
}

// Changes made through this package (Save, the imports) are noted as
// deltas: the token before the write, the token after it, and the rows
// written, all read inside the writing transaction. A search that meets
// the new token and holds the index of the old one applies the delta to a
// copy instead of reading the whole table again. A write made any other
// way (a restore, plain SQL) leaves no delta, and the search rebuilds from
// the table as before; a delta of a transaction that rolled back names a
// token no reader will ever see.
type delta struct {
	from string
	rows []deltaRow
	seq  int64
}

var deltas = struct {
	sync.Mutex
	m   map[string]*delta // by the token after the write
	seq int64
}{m: map[string]*delta{}}

const maxDeltas = 64

// tokenBeforeWrite reads the current token of the recommendations on
// SQLite ("" elsewhere or when it cannot be read, which makes the write
// leave no delta).
func tokenBeforeWrite(ctx context.Context, q db.Q) string {
	if q.Dialect() != db.SQLite {
		return ""
	}
	tok, _, err := searchTokens(ctx, q)
	if err != nil {
		return ""
	}
	return tok
}

// noteWrite records the delta from the token read before the write to
// the current one.
func noteWrite(ctx context.Context, q db.Q, before string, rows []deltaRow) {
	if before == "" || len(rows) == 0 {
		return
	}
	after, _, err := searchTokens(ctx, q)
	if err != nil || after == before {
		return
	}
	deltas.Lock()
	defer deltas.Unlock()
	for len(deltas.m) >= maxDeltas {
		delete(deltas.m, oldest(deltas.m, func(d *delta) int64 { return d.seq }))
	}
	deltas.seq++
	deltas.m[after] = &delta{from: before, rows: rows, seq: deltas.seq}
}

// indexFromDeltas builds the index of token from a cached index and the
// chain of deltas leading from it, or returns nil.
func indexFromDeltas(token string) *facetIndex {
	var chain []*delta
	var base *facetIndex
	t := token
	for len(chain) < maxDeltas {
		deltas.Lock()
		d := deltas.m[t]
		deltas.Unlock()
		if d == nil {
			return nil
		}
		chain = append(chain, d)
		searchCache.Lock()
		base = searchCache.idx[d.from]
		searchCache.Unlock()
		if base != nil {
			break
		}
		t = d.from
	}
	if base == nil {
		return nil
	}
	ix := base.clone(token)
	for i := len(chain) - 1; i >= 0; i-- {
		for _, r := range chain[i].rows {
			if err := ix.set(r); err != nil {
				return nil
			}
		}
	}
	ix.finish()
	return ix
}

func indexOf(names []string, v string) int {
	for i := 1; i < len(names); i++ {
		if names[i] == v {
			return i
		}
	}
	return 0
}

// matchNums returns the nums matching an FTS5 expression (expr, rendered
// from tree), ascending.
func matchNums(ctx context.Context, q db.Q, token, expr string, tree *node) ([]int32, error) {
	key := token + "\x00" + expr
	searchCache.Lock()
	if e, ok := searchCache.matches[key]; ok {
		searchCache.tick++
		e.used = searchCache.tick
		searchCache.Unlock()
		return e.nums, nil
	}
	searchCache.Unlock()
	if nums, ok, err := patchMatches(ctx, q, token, expr); err != nil {
		return nil, err
	} else if ok {
		storeMatches(key, nums)
		return nums, nil
	}
	// Read from the FTS5 index directly (search_fts.go) when it can be.
	if nums, ok, err := directMatch(ctx, q, token, tree); err != nil {
		return nil, err
	} else if ok {
		fullMatches.Add(1)
		storeMatches(key, nums)
		return nums, nil
	}
	// Otherwise FTS5 answers. group_concat hands every rowid over in one
	// value: far cheaper with the pure-Go driver than one row per match.
	var s sql.NullString
	if err := q.QueryRow(ctx, "SELECT group_concat(rowid) FROM recommendations_fts WHERE recommendations_fts MATCH ?", expr).Scan(&s); err != nil {
		return nil, err
	}
	nums := make([]int32, 0, strings.Count(s.String, ",")+1)
	if s.String != "" {
		v := int32(0)
		for i := 0; i < len(s.String); i++ {
			c := s.String[i]
			if c == ',' {
				nums = append(nums, v)
				v = 0
				continue
			}
			v = v*10 + int32(c-'0')
		}
		nums = append(nums, v)
	}
	if !sort.SliceIsSorted(nums, func(i, j int) bool { return nums[i] < nums[j] }) {
		sort.Slice(nums, func(i, j int) bool { return nums[i] < nums[j] })
	}
	fullMatches.Add(1)
	storeMatches(key, nums)
	return nums, nil
}

// fullMatches counts match sets read whole from FTS5 (tests read it).
var fullMatches atomic.Int64

// maxPatchRows is the most rows a chain of deltas may have changed for a
// cached match set to be patched rather than read again.
const maxPatchRows = 64

// patchMatches derives the match set of expr under token from one cached
// under an earlier token, when only a few rows changed in between (known
// from the deltas): rows that did not change match as before, and each
// changed row is asked of FTS5 on its own (MATCH with rowid = ?).
func patchMatches(ctx context.Context, q db.Q, token, expr string) ([]int32, bool, error) {
	changed := map[int32]bool{}
	t := token
	for steps := 0; steps < maxDeltas; steps++ {
		deltas.Lock()
		d := deltas.m[t]
		deltas.Unlock()
		if d == nil {
			return nil, false, nil
		}
		for _, r := range d.rows {
			changed[int32(r.num)] = true
		}
		if len(changed) > maxPatchRows {
			return nil, false, nil
		}
		searchCache.Lock()
		e := searchCache.matches[d.from+"\x00"+expr]
		searchCache.Unlock()
		if e == nil {
			t = d.from
			continue
		}
		out := make([]int32, 0, len(e.nums)+len(changed))
		for _, n := range e.nums {
			if !changed[n] {
				out = append(out, n)
			}
		}
		for n := range changed {
			var hit int
			if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM recommendations_fts WHERE recommendations_fts MATCH ? AND rowid = ?", expr, int64(n)).Scan(&hit); err != nil {
				return nil, false, err
			}
			if hit > 0 {
				out = append(out, n)
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
		return out, true, nil
	}
	return nil, false, nil
}

// oldest is the key of m's entry with the smallest age (a use tick or a
// sequence number): the one the small caches here drop first. m must not
// be empty.
func oldest[V any](m map[string]V, age func(V) int64) string {
	var key string
	var least int64 = -1
	for k, v := range m {
		if a := age(v); least < 0 || a < least {
			key, least = k, a
		}
	}
	return key
}

// storeMatches keeps a match set, dropping the least recently used ones
// beyond the size limit.
func storeMatches(key string, nums []int32) {
	searchCache.Lock()
	defer searchCache.Unlock()
	if len(nums) > maxCachedNums/4 {
		return
	}
	for searchCache.size+len(nums) > maxCachedNums && len(searchCache.matches) > 0 {
		oldK := oldest(searchCache.matches, func(e *matchEntry) int64 { return e.used })
		searchCache.size -= len(searchCache.matches[oldK].nums)
		delete(searchCache.matches, oldK)
	}
	if old, ok := searchCache.matches[key]; ok {
		searchCache.size -= len(old.nums)
	}
	searchCache.tick++
	searchCache.matches[key] = &matchEntry{nums: nums, used: searchCache.tick}
	searchCache.size += len(nums)
}

// indexSearch is Search on SQLite: matches from FTS5 (or every row for an
// empty query), filters and facets from the in-process index, the page
// from the table.
func indexSearch(ctx context.Context, q db.Q, f Filter, match string) (Results, error) {
	var out Results
	token, assessToken, err := searchTokens(ctx, q)
	if err != nil {
		// A store migrated with an early draft of migration 0013 has no
		// token table: answer correctly, the slow way.
		var n int
		if q.QueryRow(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'rec_search_fts_config'").Scan(&n) == nil && n == 0 {
			return searchSQL(ctx, q, f, match)
		}
		return out, err
	}
	ix, err := loadIndex(ctx, q, token)
	if err != nil {
		return out, err
	}
	nums := ix.all
	if match != "" {
		tree, err := parse(f.Query)
		if err != nil {
			return out, err
		}
		if nums, err = matchNums(ctx, q, token, match, tree); err != nil {
			return out, err
		}
	}
	// Independent-assessment status by num, for the status filter and facet.
	var status []numStatus
	withStatus := f.Institution != ""
	if withStatus {
		if status, err = loadStatus(ctx, q, ix, assessToken, f.Institution, f.Clearance); err != nil {
			return out, err
		}
	}
	// Filter values as dictionary indexes; a value absent from the index
	// matches nothing (-1).
	want := func(names []string, v string) int {
		if v == "" {
			return 0
		}
		if i := indexOf(names, v); i > 0 {
			return i
		}
		return -1
	}
	wM, wS, wR := want(ix.mechs, f.Mechanism), want(ix.states, strings.ToUpper(f.State)), want(ix.resps, f.Response)
	wT := want(ix.themeNames, f.Theme)
	wC := f.Cycle
	wV := -2 // no status filter
	switch {
	case f.Status == "unassessed":
		wV = 0
	case f.Status != "":
		if wV = indexOf(statusNames, f.Status); wV == 0 {
			wV = -1
		}
	}
	ownIdx := 0
	if f.Institution != "" {
		ownIdx = indexOf(ix.owners, f.Institution)
	}
	cl := uint8(f.Clearance)
	if !f.Clearance.Valid() {
		cl = 1
	}
	shared := 1 // index of owner "" (set first in buildIndex)
	mechN := make([]int, len(ix.mechs))
	stateN := make([]int, len(ix.states))
	respN := make([]int, len(ix.resps))
	themeN := make([]int, len(ix.themeNames))
	statN := make([]int, len(statusNames))
	cycN := make([]int, 256)
	page := make([]int32, 0, f.Limit)
	total := 0
	si := 0 // next entry of status, which is in the same (descending) order
	// Matches are read in blocks: first the rows of a block are copied
	// in a loop without branches, so the processor fetches many of them
	// from memory at once, then the block is counted. Reading and
	// counting one at a time waited for memory at every match.
	var block [256]facetRow
	var blockNum [256]int32
	for end := len(nums); end > 0; end -= len(block) { // newest (highest num) first
		start := max(0, end-len(block))
		k := 0
		for i := end - 1; i >= start; i-- {
			n := nums[i]
			if n >= 0 && int(n) < len(ix.rows) {
				block[k] = ix.rows[n]
			} else {
				block[k] = facetRow{}
			}
			blockNum[k] = n
			k++
		}
		for j := 0; j < k; j++ {
			n, fr := blockNum[j], block[j]
			if fr.mech == 0 {
				continue // a row the index does not know cannot be seen
			}
			// The scope, as Scope.cond: shared texts, plus the institution's
			// own up to the reader's clearance.
			if o := int(fr.owner); o != shared && (ownIdx == 0 || o != ownIdx) {
				continue
			}
			if f.Institution != "" && fr.sens > cl {
				continue
			}
			m, s, r, c := int(fr.mech), int(fr.state), int(fr.resp), int(fr.cycle)
			for si < len(status) && status[si].num > n {
				si++
			}
			var sv int
			if si < len(status) && status[si].num == n {
				sv = int(status[si].st)
			}
			okM := wM == 0 || m == wM
			okS := wS == 0 || s == wS
			okR := wR == 0 || r == wR
			okC := wC == 0 || c == wC
			okT := wT == 0
			combo := ix.comboFlat[ix.comboOff[fr.themes]:ix.comboOff[fr.themes+1]]
			if wT > 0 {
				for _, t := range combo {
					if int(t) == wT {
						okT = true
						break
					}
				}
			}
			okV := wV == -2 || sv == wV
			if okM && okS && okR && okC && okT && okV {
				if total >= f.Offset && len(page) < f.Limit {
					page = append(page, n)
				}
				total++
			}
			if f.NoFacets {
				continue
			}
			if okS && okR && okC && okT && okV {
				mechN[m]++
			}
			if okM && okR && okC && okT && okV {
				stateN[s]++
			}
			if okM && okS && okC && okT && okV {
				respN[r]++
			}
			if okM && okS && okR && okT && okV {
				cycN[c]++
			}
			if okM && okS && okR && okC && okT && withStatus {
				statN[sv]++
			}
			if okM && okS && okR && okC && okV {
				for _, t := range combo {
					themeN[t]++
				}
			}
		}
	}
	out.Total = total
	if !f.NoFacets {
		fc := &Facets{Mechanism: countList(ix.mechs, mechN), State: countList(ix.states, stateN), Response: countList(ix.resps, respN),
			Theme: countList(ix.themeNames, themeN), Cycle: []Count{}}
		for c, k := range cycN {
			if k > 0 {
				fc.Cycle = append(fc.Cycle, Count{Value: strconv.Itoa(c), N: k})
			}
		}
		if withStatus {
			// Status values are listed from index 0 ("unassessed") too.
			m := map[string]int{}
			for i, k := range statN {
				if k > 0 {
					m[statusNames[i]] = k
				}
			}
			fc.Status = sorted(m)
		}
		out.Facets = fc
	}
	out.Results, err = readNums(ctx, q, Scope{Institution: f.Institution, Clearance: f.Clearance}, page)
	return out, err
}

// countList lists the non-zero counts by dictionary index (names are
// distinct), ordered as sorted orders them.
func countList(names []string, n []int) []Count {
	out := make([]Count, 0, 16)
	for i := 1; i < len(n); i++ {
		if n[i] > 0 {
			out = append(out, Count{Value: names[i], N: n[i]})
		}
	}
	slices.SortFunc(out, func(a, b Count) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(a.Value, b.Value)
	})
	return out
}

// readNums reads the given rows, in the given order, as sc may see them.
// The index has already kept only rows in scope; the scope condition is
// applied again here, as the SQL search applies it, so that a row the
// index let through by mistake is never returned.
func readNums(ctx context.Context, q db.Q, sc Scope, nums []int32) ([]Recommendation, error) {
	out := []Recommendation{}
	if len(nums) == 0 {
		return out, nil
	}
	var b strings.Builder
	args := make([]any, len(nums))
	for i, n := range nums {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("?")
		args[i] = int64(n)
	}
	cond, cargs := sc.cond()
	rows, err := q.Query(ctx, "SELECT "+prefixed(recColumns)+" FROM recommendations r WHERE r.num IN ("+b.String()+") AND "+cond, append(args, cargs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byNum := map[int64]Recommendation{}
	for rows.Next() {
		r, err := scanRec(rows)
		if err != nil {
			return nil, err
		}
		byNum[r.Num] = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, n := range nums {
		if r, ok := byNum[int64(n)]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}
