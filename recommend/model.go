package recommend

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"vigil/db"
	"vigil/sensitivity"
)

// Mechanisms that issue recommendations.
var Mechanisms = []string{"upr", "treaty_body", "special_procedure", "regional", "nhri"}

// Responses a State can give. UPR Info folds "supported in part" into
// noted; UHRI and the institution's own records can be exact.
var Responses = []string{"supported", "supported_in_part", "noted", "pending", "pledge"}

// ErrNotFound is returned for a record that does not exist or that the
// caller's institution or clearance does not let it see.
var ErrNotFound = errors.New("recommend: not found")

// Recommendation is one recommendation or voluntary pledge as issued.
type Recommendation struct {
	ID                string            `json:"id"`
	Owner             string            `json:"-"` // "" for a shared UN text; else the institution whose own recommendation it is
	Sensitivity       sensitivity.Level `json:"sensitivity"`
	Num               int64             `json:"-"`
	Source            string            `json:"source"`
	SourceKey         string            `json:"-"`
	Kind              string            `json:"kind"`
	Mechanism         string            `json:"mechanism"`
	Body              string            `json:"body"`
	StateUnderReview  string            `json:"state_under_review"`
	RecommendingState string            `json:"recommending_state"`
	Cycle             int               `json:"cycle"`
	Session           string            `json:"session"`
	DocumentSymbol    string            `json:"document_symbol"`
	Paragraph         string            `json:"paragraph"`
	IssuedOn          string            `json:"issued_on"`
	Text              string            `json:"text"`
	Themes            []string          `json:"themes"`
	AffectedPersons   []string          `json:"affected_persons"`
	SDGTargets        []string          `json:"sdg_targets"`
	Response          string            `json:"response"`
	ActionCategory    int               `json:"action_category"`
	CreatedAt         string            `json:"created_at"`
	UpdatedAt         string            `json:"updated_at"`

	folded, foldedOf string // Fold(foldedOf), computed ahead by an import
}

func joinList(l []string) string { return strings.Join(l, "|") }

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "|")
}

// normThemes trims, drops empties and duplicates, and sorts.
func normThemes(in []string) []string {
	out := make([]string, 0, len(in))
	for _, t := range in {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	k := 0
	for i, t := range out {
		if i == 0 || t != out[k-1] {
			out[k] = t
			k++
		}
	}
	return out[:k]
}

func (r *Recommendation) validate() error {
	if !contains(Mechanisms, r.Mechanism) {
		return fmt.Errorf("mechanism %q is not one of %s", r.Mechanism, strings.Join(Mechanisms, ", "))
	}
	if !contains(Responses, r.Response) {
		return fmt.Errorf("response %q is not one of %s", r.Response, strings.Join(Responses, ", "))
	}
	if r.Kind == "" {
		r.Kind = "recommendation"
	}
	if r.Kind != "recommendation" && r.Kind != "voluntary_pledge" {
		return fmt.Errorf("kind %q is not recommendation or voluntary_pledge", r.Kind)
	}
	if len(r.StateUnderReview) != 3 {
		return fmt.Errorf("state under review %q is not an ISO alpha-3 code", r.StateUnderReview)
	}
	if strings.TrimSpace(r.Text) == "" {
		return errors.New("the text is empty")
	}
	if r.ActionCategory < 0 || r.ActionCategory > 5 {
		return fmt.Errorf("action category %d is not 1-5", r.ActionCategory)
	}
	if r.Sensitivity == 0 {
		r.Sensitivity = sensitivity.Public
	}
	if !r.Sensitivity.Valid() {
		return errors.New("invalid sensitivity")
	}
	if (r.Mechanism == "nhri") != (r.Owner != "") {
		return errors.New("the institution's own recommendations, and only they, belong to an institution")
	}
	if r.Source == "" || r.SourceKey == "" {
		return errors.New("source and source key are required")
	}
	return nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

const recColumns = `id, owner_institution, sensitivity, num, source, source_key, kind, mechanism, body, state_under_review, recommending_state, cycle, session,
document_symbol, paragraph, issued_on, text, themes, affected_persons, sdg_targets, response, action_category, created_at, updated_at`

func scanRec(sc interface{ Scan(...any) error }) (Recommendation, error) {
	var r Recommendation
	var themes, persons, sdg string
	var lvl int
	err := sc.Scan(&r.ID, &r.Owner, &lvl, &r.Num, &r.Source, &r.SourceKey, &r.Kind, &r.Mechanism, &r.Body, &r.StateUnderReview, &r.RecommendingState,
		&r.Cycle, &r.Session, &r.DocumentSymbol, &r.Paragraph, &r.IssuedOn, &r.Text, &themes, &persons, &sdg, &r.Response,
		&r.ActionCategory, &r.CreatedAt, &r.UpdatedAt)
	r.Themes, r.AffectedPersons, r.SDGTargets = splitList(themes), splitList(persons), splitList(sdg)
	r.Sensitivity = sensitivity.Level(lvl)
	return r, err
}

// Scope is who is reading: an institution and the clearance of the
// reader's role. Shared UN texts are public; an institution's own
// recommendations are visible only to it, and only up to the clearance.
// The zero Scope (commands spanning institutions) sees shared texts only.
type Scope struct {
	Institution string
	Clearance   sensitivity.Level
}

func (s Scope) cond() (string, []any) {
	if s.Institution == "" {
		return "r.owner_institution = ''", nil
	}
	cl := s.Clearance
	if !cl.Valid() {
		cl = sensitivity.Public
	}
	return "(r.owner_institution = '' OR r.owner_institution = ?) AND r.sensitivity <= ?", []any{s.Institution, int(cl)}
}

// CreateOwn records one of the institution's own recommendations to its
// State (mechanism "nhri"), visible only to the institution.
func CreateOwn(ctx context.Context, q db.Q, institution string, r Recommendation) (Recommendation, error) {
	r.Owner, r.Mechanism, r.Source, r.SourceKey = institution, "nhri", "own", db.NewID()
	if r.Response == "" {
		r.Response = "pending"
	}
	if r.Sensitivity == 0 {
		r.Sensitivity = sensitivity.Internal
	}
	if r.IssuedOn != "" && !validDate(r.IssuedOn) {
		return r, fmt.Errorf("date %q is not YYYY-MM-DD", r.IssuedOn)
	}
	_, err := Save(ctx, q, &r)
	return r, err
}

// Get reads one recommendation by id, as the scope may see it.
func Get(ctx context.Context, q db.Q, sc Scope, id string) (Recommendation, error) {
	c, args := sc.cond()
	r, err := scanRec(q.QueryRow(ctx, "SELECT "+prefixed(recColumns)+" FROM recommendations r WHERE r.id = ? AND "+c, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

// nextNum is the next free full-text key.
func nextNum(ctx context.Context, q db.Q) (int64, error) {
	var n sql.NullInt64
	if err := q.QueryRow(ctx, "SELECT MAX(num) FROM recommendations").Scan(&n); err != nil {
		return 0, err
	}
	return n.Int64 + 1, nil
}

// Save inserts r, or updates the record with the same source and source
// key, keeping its id (and so all follow-up work attached to it). It
// returns "inserted", "updated" or "unchanged".
func Save(ctx context.Context, q db.Q, r *Recommendation) (string, error) {
	r.Themes = normThemes(r.Themes)
	if err := r.validate(); err != nil {
		return "", err
	}
	old, err := scanRec(q.QueryRow(ctx, "SELECT "+recColumns+" FROM recommendations WHERE source = ? AND source_key = ? AND owner_institution = ?", r.Source, r.SourceKey, r.Owner))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		num, err := nextNum(ctx, q)
		if err != nil {
			return "", err
		}
		r.ID, r.Num = db.NewID(), num
		r.CreatedAt = db.Now()
		r.UpdatedAt = r.CreatedAt
		before := tokenBeforeWrite(ctx, q)
		if err := insertBatch(ctx, q, []*Recommendation{r}); err != nil {
			return "", err
		}
		noteWrite(ctx, q, before, []deltaRow{rowOf(r)})
		return "inserted", nil
	case err != nil:
		return "", err
	}
	r.ID, r.Num, r.CreatedAt, r.UpdatedAt = old.ID, old.Num, old.CreatedAt, old.UpdatedAt
	if sameContent(&old, r) {
		return "unchanged", nil
	}
	r.UpdatedAt = db.Now()
	before := tokenBeforeWrite(ctx, q)
	if err := update(ctx, q, r); err != nil {
		return "", err
	}
	noteWrite(ctx, q, before, []deltaRow{rowOf(r)})
	return "updated", nil
}

func sameContent(a, b *Recommendation) bool {
	return a.Sensitivity == b.Sensitivity && a.Kind == b.Kind && a.Mechanism == b.Mechanism && a.Body == b.Body && a.StateUnderReview == b.StateUnderReview &&
		a.RecommendingState == b.RecommendingState && a.Cycle == b.Cycle && a.Session == b.Session &&
		a.DocumentSymbol == b.DocumentSymbol && a.Paragraph == b.Paragraph && a.IssuedOn == b.IssuedOn && a.Text == b.Text &&
		joinList(a.Themes) == joinList(b.Themes) && joinList(a.AffectedPersons) == joinList(b.AffectedPersons) &&
		joinList(a.SDGTargets) == joinList(b.SDGTargets) && a.Response == b.Response && a.ActionCategory == b.ActionCategory
}

// searchText is what the full-text index holds: the text, folded. An
// import folds the texts as it parses them (on other goroutines than the
// one writing); a fold made of another text than the current one is not
// used.
func searchText(r *Recommendation) string {
	if r.folded != "" && r.foldedOf == r.Text {
		return r.folded
	}
	return Fold(r.Text)
}

// loader inserts the new records of an import. Records are handed to it
// in full-text key (num) order as the files are read, and it writes them a
// file at a time, so the database works while later files are still being
// parsed. Statements always carry the same number of rows (recsPerStmt
// recommendations, themesPerStmt themes; what does not fill one waits for
// the next file), so SQLite parses each shape once, and only the very last
// statements of an import have shapes of their own.
//
// On SQLite, once a load is large (at least bulkMin records), it no longer
// lets the per-row triggers feed the full-text index (and the search's
// change token) one row at a time: inside the import's transaction it sets
// those two triggers aside, and finish indexes all the new rows with one
// INSERT ... SELECT, sets a new change token and puts the triggers back
// exactly as they were (their SQL is read from the schema). SQLite's DDL is
// part of the transaction, so no other connection ever sees the triggers
// missing, and a failed import rolls everything back. A small load goes
// through the triggers like Save.
//
// Imports roll their whole transaction back on any error, so the loader's
// statements say OR FAIL (SQLite): SQLite then keeps no statement journal
// to undo one failed statement on its own. (The themes' foreign key is
// checked at commit since migration 0015, for the same reason.)
type loader struct {
	q       db.Q
	pending []*Recommendation // not yet written, in num order
	themes  []any             // recommendation id, theme, ... not yet written
	bulk    bool              // the insert triggers are set aside
	trigSQL []string          // their SQL, to put them back
	first   int64             // smallest num written while bulk
	rows    []deltaRow        // what was written, for the search's index
}

const (
	bulkMin       = 500
	recsPerStmt   = 400
	themesPerStmt = 500
)

// add queues a new record (num set; its id is given when it is written).
func (l *loader) add(r *Recommendation) { l.pending = append(l.pending, r) }

// flush writes the queued records that fill whole statements, once there
// are enough of them for a bulk load.
func (l *loader) flush(ctx context.Context) error {
	if !l.bulk && len(l.pending) < bulkMin {
		return nil
	}
	return l.write(ctx, false)
}

// finish writes what is left and, after a bulk load, indexes the new rows
// and puts the triggers back.
func (l *loader) finish(ctx context.Context) error {
	if err := l.write(ctx, true); err != nil {
		return err
	}
	if !l.bulk {
		return nil
	}
	// The new rows are the last ones of the table (SQLite gives a new row
	// the next rowid), so they are read in storage order from the first
	// one on, not looked up one by one through the index on num.
	var from int64
	if err := l.q.QueryRow(ctx, "SELECT rowid FROM recommendations WHERE num = ?", l.first).Scan(&from); err != nil {
		return err
	}
	if _, err := l.q.Exec(ctx, "INSERT INTO recommendations_fts (rowid, search_text) SELECT num, search_text FROM recommendations WHERE rowid >= ?", from); err != nil {
		return err
	}
	for _, stmt := range []string{
		"UPDATE rec_search_fts_config SET token = lower(hex(randomblob(8))) WHERE kind = 'rec'",
		"INSERT INTO rec_search_fts_config (kind, token) SELECT 'rec', lower(hex(randomblob(8))) WHERE NOT EXISTS (SELECT 1 FROM rec_search_fts_config WHERE kind = 'rec')",
	} {
		if _, err := l.q.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	for _, s := range l.trigSQL {
		if _, err := l.q.Exec(ctx, s); err != nil {
			return err
		}
	}
	l.bulk = false
	return nil
}

// write writes the queued records: all of them when last is set, else as
// many as fill whole statements.
func (l *loader) write(ctx context.Context, last bool) error {
	n := len(l.pending)
	if !last {
		n -= n % recsPerStmt
	}
	recs := l.pending[:n]
	if len(recs) > 0 {
		if !l.bulk && len(recs) >= bulkMin && l.q.Dialect() == db.SQLite {
			if err := l.setTriggersAside(ctx); err != nil {
				return err
			}
		}
		if l.bulk && (l.first == 0 || recs[0].Num < l.first) {
			l.first = recs[0].Num
		}
		// Ids in the order of num: a batch of db.NewID values, sorted, so
		// the index on id (and the themes' key) grows at its end instead of
		// at random places. They are ordinary ids, only handed out in order.
		ids := make([]string, len(recs))
		for i := range ids {
			ids[i] = db.NewID()
		}
		sort.Strings(ids)
		for i, r := range recs {
			r.ID = ids[i]
			for _, t := range r.Themes {
				l.themes = append(l.themes, r.ID, t)
			}
		}
		if err := insertRecs(ctx, l.q, importVerb(l.q), recs); err != nil {
			return err
		}
		for _, r := range recs {
			l.rows = append(l.rows, rowOf(r))
		}
		l.pending = append([]*Recommendation(nil), l.pending[n:]...)
	}
	k := len(l.themes)
	if !last {
		k -= k % (2 * themesPerStmt)
	}
	if k > 0 {
		if err := insertThemes(ctx, l.q, importVerb(l.q), l.themes[:k]); err != nil {
			return err
		}
		l.themes = append([]any(nil), l.themes[k:]...)
	}
	return nil
}

// importVerb is how the loader's statements begin (see loader).
func importVerb(q db.Q) string {
	if q.Dialect() == db.SQLite {
		return "INSERT OR FAIL INTO "
	}
	return "INSERT INTO "
}

// setTriggersAside drops the two AFTER INSERT triggers on recommendations
// (full-text index, change token), keeping their SQL. With any other
// schema than the one expected it leaves them, and the load goes row by
// row through them: slow but sure.
func (l *loader) setTriggersAside(ctx context.Context) error {
	rows, err := l.q.Query(ctx, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'recommendations' AND name IN ('recommendations_fts_ai', 'rec_search_rec_ai')")
	if err != nil {
		return err
	}
	var names, sqls []string
	for rows.Next() {
		var n, s string
		if err := rows.Scan(&n, &s); err != nil {
			rows.Close()
			return err
		}
		names, sqls = append(names, n), append(sqls, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(names) != 2 {
		return nil
	}
	for _, n := range names {
		if _, err := l.q.Exec(ctx, "DROP TRIGGER "+n); err != nil {
			return err
		}
	}
	l.bulk, l.trigSQL = true, sqls
	return nil
}

// insertBatch inserts new records (ids and nums already set) and their
// themes with multi-row statements.
func insertBatch(ctx context.Context, q db.Q, recs []*Recommendation) error {
	var themes []any
	for _, r := range recs {
		for _, t := range r.Themes {
			themes = append(themes, r.ID, t)
		}
	}
	if err := insertRecs(ctx, q, "INSERT INTO ", recs); err != nil {
		return err
	}
	return insertThemes(ctx, q, "INSERT INTO ", themes)
}

// insertRecs inserts records recsPerStmt at a time: an import of 40,000
// rows is then a hundred statements rather than 40,000.
func insertRecs(ctx context.Context, q db.Q, verb string, recs []*Recommendation) error {
	for start := 0; start < len(recs); start += recsPerStmt {
		chunk := recs[start:min(start+recsPerStmt, len(recs))]
		var err error
		if q.Dialect() == db.SQLite && len(chunk) > 1 && sameShared(chunk) {
			err = insertRecsShared(ctx, q, verb, chunk)
		} else {
			err = insertRecsPlain(ctx, q, verb, chunk)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func insertRecsPlain(ctx context.Context, q db.Q, verb string, chunk []*Recommendation) error {
	var b strings.Builder
	b.WriteString(verb + "recommendations (" + recColumns + ", search_text) VALUES ")
	args := make([]any, 0, len(chunk)*25)
	for i, r := range chunk {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
		args = append(args, r.ID, r.Owner, int(r.Sensitivity), r.Num, r.Source, r.SourceKey, r.Kind, r.Mechanism, r.Body, r.StateUnderReview, r.RecommendingState,
			r.Cycle, r.Session, r.DocumentSymbol, r.Paragraph, r.IssuedOn, r.Text, joinList(r.Themes), joinList(r.AffectedPersons),
			joinList(r.SDGTargets), r.Response, r.ActionCategory, r.CreatedAt, r.UpdatedAt, searchText(r))
	}
	_, err := q.Exec(ctx, b.String(), args...)
	return err
}

// sharedValues are the values of the columns that every row of an import
// usually has alike (sharedColumns order).
func sharedValues(r *Recommendation) [12]string {
	return [12]string{r.Owner, strconv.Itoa(int(r.Sensitivity)), r.Source, r.Mechanism, r.Body, r.DocumentSymbol, r.Paragraph, r.IssuedOn,
		joinList(r.AffectedPersons), joinList(r.SDGTargets), r.CreatedAt, r.UpdatedAt}
}

const sharedColumns = `owner_institution, sensitivity, source, mechanism, body, document_symbol, paragraph, issued_on, affected_persons, sdg_targets,
created_at, updated_at`

func sameShared(chunk []*Recommendation) bool {
	first := sharedValues(chunk[0])
	for _, r := range chunk[1:] {
		if sharedValues(r) != first {
			return false
		}
	}
	return true
}

// insertRecsShared binds the twelve values the rows share once per
// statement (numbered parameters ?1..?12, which SQLite lets every row use)
// and the thirteen others per row: half the values to bind, each of which
// the pure-Go driver copies into C memory. The shared ones come first in
// each row so that the first row numbers them before any plain ?, which
// SQLite numbers on from the largest so far.
func insertRecsShared(ctx context.Context, q db.Q, verb string, chunk []*Recommendation) error {
	f := chunk[0]
	args := make([]any, 0, 12+len(chunk)*13)
	args = append(args, f.Owner, int(f.Sensitivity), f.Source, f.Mechanism, f.Body, f.DocumentSymbol, f.Paragraph, f.IssuedOn,
		joinList(f.AffectedPersons), joinList(f.SDGTargets), f.CreatedAt, f.UpdatedAt)
	for _, r := range chunk {
		args = append(args, r.ID, r.Num, r.SourceKey, r.Kind, r.StateUnderReview, r.RecommendingState, r.Cycle, r.Session, r.Text,
			joinList(r.Themes), r.Response, r.ActionCategory, searchText(r))
	}
	_, err := q.Exec(ctx, sharedInsertSQL(verb, len(chunk)), args...)
	return err
}

var sharedInsertCache sync.Map // verb + row count → SQL text

func sharedInsertSQL(verb string, n int) string {
	key := verb + strconv.Itoa(n)
	if s, ok := sharedInsertCache.Load(key); ok {
		return s.(string)
	}
	var b strings.Builder
	b.WriteString(verb + "recommendations (" + sharedColumns + `, id, num, source_key, kind, state_under_review, recommending_state, cycle, session, text,
themes, response, action_category, search_text) VALUES `)
	row := "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?,?,?,?,?,?,?,?,?,?,?,?,?)"
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(row)
	}
	s := b.String()
	if n == recsPerStmt {
		sharedInsertCache.Store(key, s)
	}
	return s
}

// insertThemes inserts (recommendation id, theme) pairs, given flat.
func insertThemes(ctx context.Context, q db.Q, verb string, pairs []any) error {
	for start := 0; start < len(pairs); start += 2 * themesPerStmt {
		chunk := pairs[start:min(start+2*themesPerStmt, len(pairs))]
		vals := strings.TrimSuffix(strings.Repeat("(?,?),", len(chunk)/2), ",")
		if _, err := q.Exec(ctx, verb+"recommendation_themes (recommendation_id, theme) VALUES "+vals, chunk...); err != nil {
			return err
		}
	}
	return nil
}

func update(ctx context.Context, q db.Q, r *Recommendation) error {
	_, err := q.Exec(ctx, `UPDATE recommendations SET sensitivity = ?, kind = ?, mechanism = ?, body = ?, state_under_review = ?, recommending_state = ?,
		cycle = ?, session = ?, document_symbol = ?, paragraph = ?, issued_on = ?, text = ?, themes = ?, affected_persons = ?,
		sdg_targets = ?, response = ?, action_category = ?, search_text = ?, updated_at = ? WHERE id = ?`,
		int(r.Sensitivity), r.Kind, r.Mechanism, r.Body, r.StateUnderReview, r.RecommendingState, r.Cycle, r.Session, r.DocumentSymbol, r.Paragraph,
		r.IssuedOn, r.Text, joinList(r.Themes), joinList(r.AffectedPersons), joinList(r.SDGTargets), r.Response, r.ActionCategory,
		searchText(r), r.UpdatedAt, r.ID)
	if err != nil {
		return err
	}
	if _, err := q.Exec(ctx, "DELETE FROM recommendation_themes WHERE recommendation_id = ?", r.ID); err != nil {
		return err
	}
	for _, t := range r.Themes {
		if _, err := q.Exec(ctx, "INSERT INTO recommendation_themes (recommendation_id, theme) VALUES (?, ?)", r.ID, t); err != nil {
			return err
		}
	}
	return nil
}

// Themes lists every theme the scope sees, with its number of recommendations.
func Themes(ctx context.Context, q db.Q, sc Scope) ([]Count, error) {
	c, args := sc.cond()
	return counts(ctx, q, "SELECT t.theme, COUNT(*) FROM recommendation_themes t JOIN recommendations r ON r.id = t.recommendation_id WHERE "+c+
		" GROUP BY t.theme ORDER BY t.theme", args...)
}

// Count is a value and how many records have it.
type Count struct {
	Value string `json:"value"`
	N     int    `json:"count"`
}

func counts(ctx context.Context, q db.Q, query string, args ...any) ([]Count, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Count{}
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Value, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
