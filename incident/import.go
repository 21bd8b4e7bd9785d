package incident

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"vigil/audit"
	"vigil/country"
	"vigil/db"
	"vigil/importer"
	"vigil/sensitivity"
)

// Event files (UCDP GED, ACLED) are read by header name, never by column
// position, parsed in one goroutine and written in another, one transaction
// per batch. Each event's id is derived from the dataset and its own id
// there (stableID), so running a file again finds every row it wrote: rows
// whose content is the same are counted unchanged and not touched, and an
// import killed midway leaves whole batches behind that the next run skips.

// BatchSize is how many rows one transaction writes. A bulk load into
// SQLite does without the date index (bulk.go), so batches need not be
// large to spare index pages being rewritten; 10,000 rows keeps the
// parsed batches (one being parsed, one queued, one being written) small
// beside the 300 MB the import may use.
const BatchSize = 10000

// insertRows is how many rows one INSERT statement carries (30 values
// each, well under SQLite's and PostgreSQL's limits on parameters).
const insertRows = 100

func init() {
	importer.Register(importer.Kind{Name: "ucdp-ged",
		Summary: "UCDP Georeferenced Event Dataset CSV (columns by header: id, date_start, type_of_violence, country, adm_1, best...); --country XXX keeps one country",
		Run: func(ctx context.Context, d *db.DB, files []string, p *importer.Progress) (importer.Result, error) {
			return importEvents(ctx, d, files, p, gedFormat)
		}})
	importer.Register(importer.Kind{Name: "acled",
		Summary: "ACLED export CSV (columns by header: event_id_cnty, event_date, event_type, country, admin1, fatalities...); --country XXX keeps one country",
		Run: func(ctx context.Context, d *db.DB, files []string, p *importer.Progress) (importer.Result, error) {
			return importEvents(ctx, d, files, p, acledFormat)
		}})
}

// format is one dataset's layout: the columns it needs and how a row
// becomes an event (or a row error naming the field).
type format struct {
	origin   string
	required []string
	parse    func(row func(string) string, e *Event) (field string, err error)
}

// rowError is a field-level problem in one row.
type rowError struct {
	field string
	err   error
}

type parsed struct {
	row  int
	ev   Event
	bad  *rowError
	hash string  // content hash, set by prepare
	args rowArgs // the values insertEvents binds for the row, laid out by the parser
}

// rowArgs are a row's values as arguments of insertEventsRaw's INSERT, in
// the batch's layout (batchBuf): vals the row's own, numbered for their
// place in the statement, and stmt the whole statement's arguments, whose
// shared values the writer fills in. Empty: the writer makes them.
type rowArgs struct {
	vals, stmt []driver.NamedValue
}

// prepare validates a parsed row and gives it its stable id and content
// hash. The parsing goroutine calls it, so that the writer, the slower of
// the two, only writes.
func (pr *parsed) prepare(inst, origin string) {
	pr.prepareWith(inst, origin, func(originID string) string { return stableID(inst, origin, originID) }, nil)
}

// prepareWith is prepare with idOf giving the stable id of a dataset id
// (stableIDs, which hashes the institution and dataset once) and, when
// layout is not nil, the row's values laid out in *layout, the batch's
// arguments (batchBuf).
func (pr *parsed) prepareWith(inst, origin string, idOf func(string) string, layout *[]driver.NamedValue) {
	if pr.bad != nil || pr.hash != "" {
		return
	}
	e := &pr.ev
	e.Origin = origin
	if err := e.Validate(); err != nil {
		pr.bad = &rowError{"", err}
		return
	}
	e.ID = idOf(e.OriginID)
	e.InstitutionID = inst
	pr.hash = e.rowHash()
	if layout != nil {
		pr.args = layOut(layout, e, pr.hash)
	}
}

// batchBuf is one batch of parsed rows with the array their values are
// kept in. The writer hands each back once written, and the parser fills
// it again: three batches' memory serves the whole import.
//
// vals holds the arguments of the batch's INSERT statements as
// insertEventsRaw runs them, one statement after the other: the values all
// rows share (filled in by the writer), then sqliteInsertRows rows' values.
// The parser writes each row's values in place, numbered for their place in
// the statement, so that the writer, the import's slowest part, need not
// copy some 230,000 arguments per batch.
type batchBuf struct {
	rows []parsed
	vals []driver.NamedValue
}

// stmtArgs is how many arguments one full INSERT of insertEventsRaw takes.
const stmtArgs = sharedValueCount + sqliteInsertRows*rowValueCount

func newBatchBuf() *batchBuf {
	stmts := (BatchSize + sqliteInsertRows - 1) / sqliteInsertRows
	return &batchBuf{rows: make([]parsed, 0, BatchSize), vals: make([]driver.NamedValue, 0, stmts*stmtArgs)}
}

// layOut appends e's values to the statement arguments in *layout, starting
// a statement (its shared values left for the writer) when the last one is
// full. It lays out nothing when *layout has no room.
func layOut(layout *[]driver.NamedValue, e *Event, hash string) rowArgs {
	l := *layout
	start := len(l) - len(l)%stmtArgs // the statement's first argument
	need := rowValueCount
	if len(l) == start {
		need += sharedValueCount
	}
	if cap(l)-len(l) < need || cap(l)-start < stmtArgs {
		return rowArgs{}
	}
	if len(l) == start {
		l = l[:start+sharedValueCount]
	}
	first := len(l)
	var v [rowValueCount]any
	e.rowValuesTo(&v, hash)
	for j, x := range v {
		l = append(l, driver.NamedValue{Ordinal: first - start + j + 1, Value: x})
	}
	*layout = l
	return rowArgs{vals: l[first:len(l):len(l)], stmt: l[start : start+stmtArgs : start+stmtArgs]}
}

// reset empties b for reuse, dropping what it refers to.
func (b *batchBuf) reset() {
	clear(b.rows[:cap(b.rows)])
	clear(b.vals[:cap(b.vals)])
	b.rows, b.vals = b.rows[:0], b.vals[:0]
}

// stableIDs is stableID for one institution and dataset: the hash of the
// two, which every numeric id's stable id starts with, is computed once
// rather than per row. Other ids go through stableID itself.
func stableIDs(inst, origin string) func(originID string) string {
	h := sha256.Sum256([]byte(inst + "\x00" + origin))
	return func(originID string) string {
		if n, err := strconv.ParseUint(originID, 10, 63); err == nil && strconv.FormatUint(n, 10) == originID {
			var b [16]byte
			copy(b[:8], h[:8])
			binary.BigEndian.PutUint64(b[8:], n)
			return idAlphabet(b[:])
		}
		return stableID(inst, origin, originID)
	}
}

// importEvents reads each file and writes its events in batches.
func importEvents(ctx context.Context, d *db.DB, files []string, p *importer.Progress, f format) (importer.Result, error) {
	env := importer.EnvFrom(ctx)
	var total importer.Result
	if env.Institution == "" {
		return total, errors.New("no institution to import into: the store holds none or several (give --institution ID)")
	}
	onlyCountry := strings.ToUpper(env.Country) // vigil import --country XXX
	if len(files) > 0 && strings.HasPrefix(files[0], "country=") {
		onlyCountry = strings.ToUpper(strings.TrimPrefix(files[0], "country="))
		files = files[1:]
		if len(onlyCountry) != 3 {
			return total, fmt.Errorf("country=%s: want an ISO 3166-1 alpha-3 code", onlyCountry)
		}
	}
	if len(files) == 0 {
		return total, errors.New("no file given")
	}
	var res *country.Resolver
	if err := d.Read(ctx, env.Institution, func(tx *db.Tx) error {
		var err error
		res, err = country.LoadResolver(ctx, tx)
		return err
	}); err != nil {
		return total, err
	}
	if onlyCountry != "" && res.Empty() {
		return total, fmt.Errorf("--country %s needs the country list to match the file's country names: run 'vigil import countries DIR' first", onlyCountry)
	}
	for _, file := range files {
		r, err := importFile(ctx, d, env, file, p, f, res, onlyCountry)
		name := ""
		if len(files) > 1 {
			name = file
		}
		total.Add(name, r)
		if err != nil {
			return total, fmt.Errorf("%s: %w", file, err)
		}
	}
	return total, nil
}

// parserYield is how many rows the parsing goroutine reads before it lets
// another goroutine run. On two cores the writer, the slower of the two,
// must not wait: when it comes back from a system call and the parser and
// the checkpointer hold both of Go's processors, it used to wait for the
// parser to be preempted (up to 10 ms at a time, some 2 s of a 1,000,000-row
// import in all, runtime/trace's scheduler latency); yielding every 64 rows
// (some 0.4 ms of parsing) brought that to some 0.4 s.
const parserYield = 64

func importFile(ctx context.Context, d *db.DB, env importer.Env, file string, p *importer.Progress, f format,
	res *country.Resolver, onlyCountry string) (result importer.Result, retErr error) {
	fh, err := os.Open(file)
	if err != nil {
		return result, err
	}
	defer fh.Close()
	if st, err := fh.Stat(); err == nil {
		p.SetTotal(int(st.Size()))
	}
	p.SetLabel(f.origin + " " + file)
	// Read in 256 KB pieces (150,000 system calls fewer than 4 KB ones for
	// a 600 MB file), by the import's own CSV reader (csvread.go).
	cr := newCSVReader(p.Reader(fh), 256<<10)
	header, err := cr.Read()
	if err != nil {
		return result, fmt.Errorf("reading the header: %w", err)
	}
	col := map[string]int{}
	for i, hb := range header {
		h := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(string(hb), "\ufeff")))
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	var missing []string
	for _, r := range f.required {
		if _, ok := col[r]; !ok {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return result, fmt.Errorf("not a %s file: missing column(s) %s", f.origin, strings.Join(missing, ", "))
	}

	// Parse in one goroutine, write in this one.
	// Unbuffered: at most one batch waits, parsed, while another is
	// written and the next is being parsed.
	batches := make(chan *batchBuf)
	free := make(chan *batchBuf, 2) // written batches, for the parser to fill again
	parseErr := make(chan error, 1)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(batches)
		var rec [][]byte
		// The fields the format reads are copied out of each record into
		// one string (the reader's fields are only valid until the next
		// record, and one string per row is one allocation per row instead
		// of one per field). Which columns the format reads is
		// learnt as it asks for them: a column asked for the first time
		// is copied on its own and joins the shared copy from the next row.
		//
		// The format asks for its columns by name, some twenty a row, in
		// the same order every row: asked remembers the last row's
		// questions, so that a name is looked up in slot only when it
		// comes out of that order (comparing a name with the same
		// constant is a length and pointer check).
		type question struct {
			name string
			k    int
		}
		var (
			slot    = map[string]int{} // column name → place in used; -1: no such column
			used    []int              // record index of each column read
			offs    []int              // each used column's start in line, then the end
			line    string
			lineBuf []byte
			asked   []question // the names asked for on the last row, in order
			nAsked  int        // how many of them this row has asked for
		)
		field := func(i int) []byte {
			if i < len(rec) {
				return rec[i]
			}
			return nil
		}
		copyLine := func() {
			lineBuf, offs = lineBuf[:0], offs[:0]
			for _, i := range used {
				offs = append(offs, len(lineBuf))
				lineBuf = append(lineBuf, field(i)...)
			}
			offs = append(offs, len(lineBuf))
			line = string(lineBuf)
			nAsked = 0
		}
		lookup := func(name string) int {
			k, ok := slot[name]
			if !ok {
				k = -1
				if i, has := col[name]; has {
					k = len(used)
					used = append(used, i)
				}
				slot[name] = k
			}
			return k
		}
		get := func(name string) string {
			var k int
			if nAsked < len(asked) && asked[nAsked].name == name {
				k = asked[nAsked].k
				nAsked++
			} else {
				k = lookup(name)
				if nAsked == len(asked) && len(asked) < 64 {
					asked = append(asked, question{name, k})
					nAsked++
				}
			}
			switch {
			case k < 0:
				return ""
			case k+1 < len(offs):
				return line[offs[k]:offs[k+1]]
			default: // learnt on this row
				return string(field(used[k]))
			}
		}
		idOf := stableIDs(env.Institution, f.origin)
		// A file names few countries: each name is resolved once.
		countries := map[string]string{}
		resolve := func(name string) string {
			code, ok := countries[name]
			if !ok {
				code, _ = res.Resolve(name)
				if len(countries) < 10_000 { // a file of made-up names must not grow it without end
					countries[name] = code
				}
			}
			return code
		}
		next := func() *batchBuf {
			select {
			case b := <-free:
				b.reset() // here rather than in the writer, the busier of the two
				return b
			default:
				return newBatchBuf()
			}
		}
		buf := next()
		row := 1
		for {
			var err error
			rec, err = cr.Read()
			if err == io.EOF {
				break
			}
			row++
			if row%parserYield == 0 {
				runtime.Gosched()
			}
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) && pe.Err != csv.ErrQuote && pe.Err != csv.ErrBareQuote {
					parseErr <- err
					return
				}
				buf.rows = append(buf.rows, parsed{row: row, bad: &rowError{"", fmt.Errorf("unreadable CSV: %v", err)}})
			} else {
				copyLine()
				// Parsed in place, in the batch's next slot.
				n := len(buf.rows)
				buf.rows = append(buf.rows, parsed{row: row})
				pr := &buf.rows[n]
				if field, err := f.parse(get, &pr.ev); err != nil {
					pr.bad = &rowError{field, err}
				} else {
					if code := resolve(pr.ev.CountryName); code != "" {
						pr.ev.Country = code
					}
					if onlyCountry != "" && pr.ev.Country != onlyCountry {
						buf.rows[n] = parsed{}
						buf.rows = buf.rows[:n]
						continue
					}
					pr.prepareWith(env.Institution, f.origin, idOf, &buf.vals)
				}
			}
			if len(buf.rows) == BatchSize {
				select {
				case batches <- buf:
				case <-done:
					return
				}
				buf = next()
			}
		}
		if len(buf.rows) > 0 {
			select {
			case batches <- buf:
			case <-done:
			}
		}
		parseErr <- nil
	}()
	// A large import into the embedded store may drop the date index (in
	// the transaction of its first batch of mostly new rows) and builds it
	// again at the end (see bulk.go); a small one makes sure it is there.
	bulk := false
	var afterBatch func()
	if d.Dialect == db.SQLite {
		var err error
		if bulk, err = bulkLoad(ctx, d, env.Institution, fileSize(fh)); err != nil {
			return result, err
		}
		if !bulk {
			if err := EnsureEventIndexes(ctx, d, env.Institution); err != nil {
				return result, err
			}
		}
	}
	// The checkpointer's last checkpoint runs beside the index build and
	// is waited for after it (deferred first, so it runs last).
	var ck *checkpointer
	defer func() {
		if ck != nil {
			ck.wait()
		}
	}()
	if bulk {
		defer func() {
			// The batches are garbage now: give their memory back before
			// SQLite sorts the index keys.
			debug.FreeOSMemory()
			p.SetLabel("building the date index")
			if err := EnsureEventIndexes(context.WithoutCancel(ctx), d, env.Institution); err != nil && retErr == nil {
				retErr = err
			}
		}()
	}
	// The import owns the process: the collector runs rarely (GOGC 400,
	// some tenth less CPU than the default) and the soft memory limit
	// makes it work harder before the heap grows past 128 MB.
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(128 << 20))
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	var bc *bulkConn
	if d.Dialect == db.SQLite && !noBulkConn {
		var err error
		if bc, err = openBulk(ctx, d); err != nil {
			return result, err
		}
		defer closeBulk(bc)
		ck = startCheckpointer(ctx, d, env.Institution)
		defer ck.finish()
		afterBatch = ck.poke
	}
	dropped := false
	for buf := range batches {
		if err := ctx.Err(); err != nil {
			return result, err
		}
		r, err := writeBatchOn(ctx, d, bc, env, f.origin, buf.rows, bulk && !dropped)
		select {
		case free <- buf:
		default:
		}
		if bulk && err == nil && r.Inserted >= bulkDropInserts {
			dropped = true
		}
		if afterBatch != nil {
			afterBatch()
		}
		result.Add("", r)
		if err != nil {
			return result, err
		}
	}
	return result, <-parseErr
}

// noBulkConn makes SQLite imports write through d.Write like PostgreSQL's
// (for the test that both ways store the same rows).
var noBulkConn = false

// writeBatch writes one batch in one transaction, with one audit entry
// when it changed anything. Rows already present with the same content are
// left alone.
//
// mayDrop lets the batch drop the events' secondary indexes in its own
// transaction when it inserts at least bulkDropInserts rows (the first such
// batch of a bulk load), so that a killed import leaves either the index and
// none of its rows, or whole batches without the index, which the next
// import or the next start builds again.
func writeBatch(ctx context.Context, d *db.DB, env importer.Env, origin string, batch []parsed, mayDrop bool) (importer.Result, error) {
	return writeBatchOn(ctx, d, nil, env, origin, batch, mayDrop)
}

// writeBatchOn is writeBatch on the import's own writer connection bc
// (SQLite; nil: through d.Write).
func writeBatchOn(ctx context.Context, d *db.DB, bc *bulkConn, env importer.Env, origin string, batch []parsed, mayDrop bool) (importer.Result, error) {
	var r importer.Result
	inst := env.Institution
	now := db.Now()
	good := make([]*Event, 0, len(batch))
	hashes := make([]string, 0, len(batch))
	vals := make([]rowArgs, 0, len(batch))
	// A batch whose ids only ever increase (a dataset in its own id order)
	// cannot hold one twice; the map of ids seen is built from the first
	// id out of order on.
	var seen map[string]int
	for i := range batch {
		pr := &batch[i]
		pr.prepare(inst, origin)
		if pr.bad != nil {
			r.Reject(pr.row, pr.bad.field, "%v", pr.bad.err)
			continue
		}
		e := &pr.ev
		e.CreatedBy, e.CreatedAt, e.UpdatedAt = env.Actor, now, now
		h := pr.hash
		if seen == nil {
			if len(good) == 0 || e.ID > good[len(good)-1].ID {
				good = append(good, e)
				hashes = append(hashes, h)
				vals = append(vals, pr.args)
				continue
			}
			seen = make(map[string]int, len(batch))
			for j, g := range good {
				seen[g.ID] = j
			}
		}
		if j, dup := seen[e.ID]; dup {
			// The same source id twice in one batch: the later row wins.
			good[j], hashes[j], vals[j] = e, h, pr.args
			continue
		}
		seen[e.ID] = len(good)
		good = append(good, e)
		hashes = append(hashes, h)
		vals = append(vals, pr.args)
	}
	if len(good) == 0 {
		return r, nil
	}
	write := func(fn func(db.Q) error) error {
		if bc != nil {
			return bc.write(ctx, inst, fn)
		}
		return d.Write(ctx, inst, func(tx *db.Tx) error { return fn(tx) })
	}
	err := write(func(tx db.Q) error {
		if d.Dialect == db.SQLite && bc == nil {
			if err := importPragmas(ctx, tx); err != nil {
				return err
			}
		}
		r2 := importer.Result{}
		existing := map[string]string{}
		// One look at the primary key first: when no stored event's id
		// falls between the batch's smallest and largest, none of its ids
		// is stored and the look-up per id is skipped. Numeric dataset ids
		// keep their order in the stable ids (stableID), so a batch of new
		// rows covers a range of its own.
		lo, hi := good[0].ID, good[0].ID
		for _, e := range good[1:] {
			lo, hi = min(lo, e.ID), max(hi, e.ID)
		}
		stored := 1
		switch err := tx.QueryRow(ctx, "SELECT 1 FROM events WHERE id >= ? AND id <= ? LIMIT 1", lo, hi).Scan(&stored); {
		case errors.Is(err, sql.ErrNoRows):
			stored = 0
		case err != nil:
			return err
		}
		for start := 0; stored > 0 && start < len(good); start += 500 {
			end := min(start+500, len(good))
			args := []any{inst}
			for _, e := range good[start:end] {
				args = append(args, e.ID)
			}
			// "institution_id || ''" keeps the planner on the primary key:
			// through a date index that begins with the institution column
			// (PostgreSQL's; SQLite's before migration 0018) it would read
			// every event of the institution for each batch.
			rows, err := tx.Query(ctx, "SELECT id, row_hash FROM events WHERE institution_id || '' = ? AND id IN (?"+
				strings.Repeat(", ?", end-start-1)+")", args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id, h string
				if err := rows.Scan(&id, &h); err != nil {
					rows.Close()
					return err
				}
				existing[id] = h
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		inserts := make([]*Event, 0, len(good))
		insertHashes := make([]string, 0, len(good))
		insertVals := make([]rowArgs, 0, len(good))
		for i, e := range good {
			old, ok := existing[e.ID]
			switch {
			case !ok:
				inserts = append(inserts, e)
				insertHashes = append(insertHashes, hashes[i])
				insertVals = append(insertVals, vals[i])
				r2.Inserted++
			case old == hashes[i]:
				r2.Unchanged++
			default:
				if _, err := tx.Exec(ctx, `UPDATE events SET title = ?, description = ?, violence = ?, country = ?, country_name = ?, region = ?,
					admin1 = ?, admin2 = ?, place = ?, latitude = ?, longitude = ?, place_precision = ?, date_start = ?, date_end = ?,
					date_precision = ?, side_a = ?, side_b = ?, fatalities = ?, civilian_deaths = ?, sources_text = ?, row_hash = ?, updated_at = ?
					WHERE institution_id = ? AND id = ?`, e.Title, e.Description, e.Violence, e.Country, e.CountryName, e.Region,
					e.Admin1, e.Admin2, e.Place, nullFloat(e.Latitude), nullFloat(e.Longitude), e.PlacePrecision, e.DateStart, e.DateEnd,
					e.DatePrecision, e.SideA, e.SideB, e.Fatalities, e.CivilianDeaths, e.SourcesText, hashes[i], now, inst, e.ID); err != nil {
					return err
				}
				r2.Updated++
			}
		}
		if mayDrop && len(inserts) >= bulkDropInserts {
			if err := dropEventIndexes(ctx, tx); err != nil {
				return err
			}
		}
		if err := insertEvents(ctx, tx, inserts, insertHashes, insertVals); err != nil {
			return err
		}
		if r2.Inserted+r2.Updated > 0 {
			if err := env.Audit.Append(ctx, tx, audit.Entry{Institution: inst, ActorName: env.Actor, Action: "event.import",
				ObjectType: "event", Detail: fmt.Sprintf("origin=%s inserted=%d updated=%d unchanged=%d", origin, r2.Inserted, r2.Updated, r2.Unchanged)}); err != nil {
				return err
			}
		}
		r.Inserted, r.Updated, r.Unchanged = r2.Inserted, r2.Updated, r2.Unchanged
		return nil
	})
	if err != nil {
		r.Inserted, r.Updated, r.Unchanged = 0, 0, 0
	}
	return r, err
}

// insertEvents inserts new events, many rows per statement.
// vals, when not nil, holds each row's values as the parsing goroutine laid
// them out (to spare the writer the work); a row without them gets them
// from rowValues.
func insertEvents(ctx context.Context, tx db.Q, evs []*Event, hashes []string, vals []rowArgs) error {
	if len(evs) == 0 {
		return nil
	}
	if tx.Dialect() == db.SQLite && sameBatchFields(evs) {
		if bt, ok := tx.(*bulkTx); ok {
			if err := insertEventsRaw(ctx, bt, evs, hashes, vals); err != errNoRaw {
				return err
			}
		}
		return insertEventsSQLite(ctx, tx, evs, hashes, vals)
	}
	one := "(?" + strings.Repeat(", ?", 29) + ")"
	full := "INSERT INTO events (" + eventCols + ") VALUES " + one + strings.Repeat(", "+one, insertRows-1)
	args := make([]any, 0, 30*insertRows)
	for start := 0; start < len(evs); start += insertRows {
		end := min(start+insertRows, len(evs))
		args = args[:0]
		for i := start; i < end; i++ {
			args = append(args, evs[i].args(hashes[i])...)
		}
		q := full
		if end-start < insertRows {
			q = "INSERT INTO events (" + eventCols + ") VALUES " + one + strings.Repeat(", "+one, end-start-1)
		}
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// sameBatchFields reports whether the fields insertEventsSQLite binds once
// per statement are the same in every event of a batch (they are for every
// import: one institution, origin, actor and time, imported status and level).
func sameBatchFields(evs []*Event) bool {
	f := evs[0]
	for _, e := range evs[1:] {
		if e.InstitutionID != f.InstitutionID || e.Origin != f.Origin || e.Status != f.Status || e.Sensitivity != f.Sensitivity ||
			e.CreatedBy != f.CreatedBy || e.CreatedAt != f.CreatedAt || e.UpdatedAt != f.UpdatedAt {
			return false
		}
	}
	return true
}

// sqliteInsertRows is how many rows one SQLite INSERT carries: 23 values
// each plus the 6 shared ones, well under SQLite's 32,766 parameters.
// Fewer, larger statements mean fewer statement journals and less work
// in the driver per row.
const sqliteInsertRows = 500

// insertEventsSQLite binds the fields every row of a batch shares once per
// statement (numbered parameters ?1..?6, which SQLite lets a statement
// use many times) and the 23 others per row: a quarter fewer values to
// bind, each of which the pure-Go driver copies into C memory.
func insertEventsSQLite(ctx context.Context, tx db.Q, evs []*Event, hashes []string, vals []rowArgs) error {
	shared := sharedValues(evs[0])
	args := make([]any, 0, len(shared)+rowValueCount*sqliteInsertRows)
	for start := 0; start < len(evs); start += sqliteInsertRows {
		end := min(start+sqliteInsertRows, len(evs))
		args = append(args[:0], shared[:]...)
		for i := start; i < end; i++ {
			if vals != nil && vals[i].vals != nil {
				for _, v := range vals[i].vals {
					args = append(args, v.Value)
				}
			} else {
				args = append(args, evs[i].rowValues(hashes[i])...)
			}
		}
		if _, err := tx.Exec(ctx, sqliteInsertSQL(end-start), args...); err != nil {
			return err
		}
	}
	return nil
}

// errNoRaw: the driver's connection cannot prepare statements itself.
var errNoRaw = errors.New("incident: no raw driver connection")

// insertEventsRaw is insertEventsSQLite run on the driver's connection
// directly: the INSERT is prepared once per batch and given its values as
// driver values, which spares database/sql's conversion and check of each
// of some 12,000 values per statement and its look-up of the statement's
// text (some 100 KB) in the statement cache. Every value rowValues makes
// is already of a type the driver takes (string, int64, float64, nil).
//
// When a statement's rows are the ones the parser laid out for it, in
// their order (every row of a file's fresh batch), their arguments are
// used where they lie; otherwise they are copied.
func insertEventsRaw(ctx context.Context, tx *bulkTx, evs []*Event, hashes []string, vals []rowArgs) error {
	shared := sharedValues(evs[0])
	return tx.Raw(func(dc any) error {
		cp, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return errNoRaw
		}
		var buf []driver.NamedValue
		for start := 0; start < len(evs); start += sqliteInsertRows {
			end := min(start+sqliteInsertRows, len(evs))
			args := laidOut(vals, start, end)
			if args == nil {
				if buf == nil {
					buf = make([]driver.NamedValue, 0, stmtArgs)
				}
				args = buf[:sharedValueCount]
				for i := start; i < end; i++ {
					var row []driver.NamedValue
					if vals != nil {
						row = vals[i].vals
					}
					if row == nil {
						for _, v := range evs[i].rowValues(hashes[i]) {
							args = append(args, driver.NamedValue{Ordinal: len(args) + 1, Value: v})
						}
						continue
					}
					for _, v := range row {
						args = append(args, driver.NamedValue{Ordinal: len(args) + 1, Value: v.Value})
					}
				}
			}
			for k, v := range shared {
				args[k] = driver.NamedValue{Ordinal: k + 1, Value: v}
			}
			var st driver.Stmt
			if end-start == sqliteInsertRows && tx.bc.full != nil {
				st = tx.bc.full
			} else {
				var err error
				if st, err = cp.PrepareContext(ctx, sqliteInsertSQL(end-start)); err != nil {
					return err
				}
				if end-start == sqliteInsertRows {
					tx.bc.full = st // kept for the next batches; closeBulk closes it
				} else {
					defer st.Close()
				}
			}
			ex, ok := st.(driver.StmtExecContext)
			if !ok {
				return fmt.Errorf("incident: the driver's statement %T cannot run with a context", st)
			}
			if _, err := ex.ExecContext(ctx, args); err != nil {
				return err
			}
		}
		return nil
	})
}

// laidOut is the arguments of the statement of rows start..end when the
// parser laid those rows out, in that order, as one statement (the shared
// values still to fill in), or nil.
func laidOut(vals []rowArgs, start, end int) []driver.NamedValue {
	if vals == nil {
		return nil
	}
	stmt := vals[start].stmt
	if stmt == nil || len(stmt) < sharedValueCount+(end-start)*rowValueCount {
		return nil
	}
	for i := start; i < end; i++ {
		if len(vals[i].vals) != rowValueCount || &vals[i].vals[0] != &stmt[sharedValueCount+(i-start)*rowValueCount] {
			return nil
		}
	}
	return stmt[:sharedValueCount+(end-start)*rowValueCount]
}

// sharedValueCount is how many values the rows of one INSERT share.
const sharedValueCount = 6

// sharedValues are the values insertEventsSQLite binds once per statement
// for all its rows (sameBatchFields).
func sharedValues(f *Event) [sharedValueCount]any {
	return [sharedValueCount]any{f.InstitutionID, f.Origin, f.Status, int64(f.Sensitivity), f.CreatedBy, f.CreatedAt}
}

// rowValues are the values of an event's row that insertEventsSQLite binds
// per row, in its column order.
//
// A dataset id written as a plain decimal number is given as that number:
// the column's TEXT affinity stores it as the same text, and an integer
// costs the driver no copy into C memory.
func (e *Event) rowValues(hash string) []any {
	var v [rowValueCount]any
	e.rowValuesTo(&v, hash)
	return v[:]
}

// rowValueCount is how many values rowValues gives.
const rowValueCount = 23

// rowValuesTo sets *v to rowValues(hash).
func (e *Event) rowValuesTo(v *[rowValueCount]any, hash string) {
	var originID any = e.OriginID
	if n, err := strconv.ParseInt(e.OriginID, 10, 64); err == nil && n > 0 && e.OriginID[0] != '0' && e.OriginID[0] != '+' {
		originID = n
	}
	*v = [rowValueCount]any{e.ID, originID, e.Title, e.Description, e.Violence, e.Country, e.CountryName,
		e.Region, e.Admin1, e.Admin2, e.Place, nullFloat(e.Latitude), nullFloat(e.Longitude), int64(e.PlacePrecision),
		e.DateStart, e.DateEnd, int64(e.DatePrecision), e.SideA, e.SideB, int64(e.Fatalities), int64(e.CivilianDeaths), e.SourcesText, hash}
}

var sqliteInsertCache sync.Map // rows → SQL text

// sqliteInsertSQL is the INSERT of n rows for insertEventsSQLite.
func sqliteInsertSQL(n int) string {
	if q, ok := sqliteInsertCache.Load(n); ok {
		return q.(string)
	}
	// The shared values come first in each row, so that the first row
	// numbers them ?1..?6 before any plain ?, which SQLite numbers on from
	// the largest so far. (Numbering every value instead makes the driver
	// quadratic: it asks SQLite each parameter's name, a list search.)
	var b strings.Builder
	b.WriteString(`INSERT INTO events (institution_id, origin, status, sensitivity, created_by, created_at, updated_at,
		id, origin_id, title, description, violence, country, country_name, region, admin1, admin2, place, latitude, longitude,
		place_precision, date_start, date_end, date_precision, side_a, side_b, fatalities, civilian_deaths, sources_text, row_hash) VALUES `)
	row := "(?1, ?2, ?3, ?4, ?5, ?6, ?6" + strings.Repeat(", ?", 23) + ")"
	for r := 0; r < n; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	q := b.String()
	if n == sqliteInsertRows {
		sqliteInsertCache.Store(n, q)
	}
	return q
}

// Helpers for parsers.

func atoiField(s, field string, lo, hi int) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "NA") {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("%d is outside %d..%d", n, lo, hi)
	}
	return n, nil
}

func coord(s string, limit float64) (*float64, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "NA") {
		return nil, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("%q is not a number", s)
	}
	if f < -limit || f > limit {
		return nil, fmt.Errorf("%v is out of range", f)
	}
	return &f, nil
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	// cut on a rune boundary
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n]
}

// Imported events are published data: public unless told otherwise.
const importedLevel = sensitivity.Public
