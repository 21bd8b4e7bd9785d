package recommend

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"vigil/access"
	"vigil/audit"
	"vigil/country"
	"vigil/db"
	"vigil/importer"
)

func init() {
	importer.Register(importer.Kind{Name: "upr-info",
		Summary: "UPR Info database exports (CSV: To, Text, From, Response, Action, Issue, Session...), any encoding and line ends; needs the country list",
		Run:     ImportUPRInfo})
}

// Notes receives one line per file saying which encoding and line ends
// were detected; the command points it at standard error. Nil discards.
var Notes io.Writer = os.Stderr

// Decoded is a source file turned into UTF-8 with LF line ends, and what
// was found on the way.
type Decoded struct {
	Text      []byte
	Encoding  string // "UTF-8", "Mac Roman", "Windows-1252"
	LineEnds  string // "LF", "CRLF", "CR"
	Converted bool
}

// Decode detects the encoding and line ends of a CSV export and converts it.
// It never guesses silently: what it found is in the result for the caller
// to report. UTF-8 is recognised by validity. Anything else is a legacy
// single-byte code page: bare CR line ends mean a classic Mac export (Mac
// Roman); otherwise the code page whose reading of the bytes above 0x7F
// gives more letters wins, so "é" written as 0x8E (Mac) or 0xE9 (Windows)
// both come out right.
func Decode(b []byte) Decoded {
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
	fixEnds := d.LineEnds != "LF"
	if utf8.Valid(b) {
		d.Encoding = "UTF-8"
		if fixEnds {
			b = convert(b, nil, true)
		}
	} else {
		cm := charmap.Windows1252
		d.Encoding = "Windows-1252"
		if d.LineEnds == "CR" || letterScore(b, charmap.Macintosh) > letterScore(b, charmap.Windows1252) {
			cm, d.Encoding = charmap.Macintosh, "Mac Roman"
		}
		b = convert(b, cm, fixEnds)
	}
	d.Converted = fixEnds || d.Encoding != "UTF-8"
	d.Text = b
	return d
}

// convert makes UTF-8 text in one pass: each byte of a single-byte code
// page cm (nil: the text is UTF-8 already) becomes its character's UTF-8
// bytes, and with fixEnds CR LF becomes LF and a lone CR becomes LF.
func convert(b []byte, cm *charmap.Charmap, fixEnds bool) []byte {
	var enc [256][]byte
	if cm != nil {
		for c := 0x80; c < 0x100; c++ {
			enc[c] = utf8.AppendRune(nil, cm.DecodeByte(byte(c)))
		}
	}
	out := make([]byte, 0, len(b)+len(b)/16)
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '\r' && fixEnds:
			if i+1 < len(b) && b[i+1] == '\n' {
				continue
			}
			out = append(out, '\n')
		case c >= 0x80 && cm != nil:
			out = append(out, enc[c]...)
		default:
			out = append(out, c)
		}
	}
	return out
}

func letterScore(b []byte, cm *charmap.Charmap) int {
	n := 0
	for _, c := range b {
		if c >= 0x80 && unicode.IsLetter(cm.DecodeByte(c)) {
			n++
		}
	}
	return n
}

var uprColumns = []string{"To", "Text", "From", "Response", "Action", "Issue", "Session"}

// ImportUPRInfo reads UPR Info exports (the raw files as published: Mac
// Roman, bare CR) into the shared recommendations table, in one
// transaction. Rows match earlier imports by a key made of the State under
// review, session, recommending State, text and kind (and the occurrence
// number, since the source repeats a few rows exactly), so running a newer
// export updates responses, action categories and issues in place and
// keeps every follow-up record attached to the same id.
func ImportUPRInfo(ctx context.Context, d *db.DB, files []string, p *importer.Progress) (importer.Result, error) {
	total := importer.Result{Errors: []importer.RowError{}}
	var notes strings.Builder // each file's encoding note, written once Write is over
	defer lessGC()()
	err := d.Write(ctx, db.System, func(tx *db.Tx) error {
		// fn may run twice (db.Write): start from nothing
		total = importer.Result{Errors: []importer.RowError{}}
		notes.Reset()
		p.Restart()
		res, err := importResolver(ctx, tx)
		if err != nil {
			return err
		}
		if tx.Dialect() == db.SQLite {
			// A bulk load: keep the pages of this transaction in memory
			// rather than spilling them to the log before the commit, and
			// put the connection back as it was afterwards.
			if _, err := tx.Exec(ctx, "PRAGMA cache_size = -131072"); err != nil {
				return err
			}
			defer tx.Exec(context.WithoutCancel(ctx), "PRAGMA cache_size = -2000")
			// The CHECK constraints of recommendations (mechanism, response,
			// kind, sensitivity, action category) are what validate checks
			// of every record before it is written (TestValidateMirrorsChecks
			// holds the two together). SQLite checks the two IN lists by
			// building a small table for every row it inserts, a fifth of
			// the insert's work, so the import has them checked once, in Go.
			// Changing the setting makes SQLite compile every statement of
			// the connection again at its next use, so none keeps it.
			if _, err := tx.Exec(ctx, "PRAGMA ignore_check_constraints = ON"); err != nil {
				return err
			}
			defer checksOn(ctx, tx)
		}
		// The files are parsed on other goroutines while this one writes
		// the rows of the files before them.
		all := readAll(files, res, p)
		existing, num, before, err := startImport(ctx, tx, "upr-info")
		if err != nil {
			return err
		}
		var written []deltaRow // for the search's facet index
		seen := map[string]int{}
		ld := &loader{q: tx}
		now := db.Now()
		for i, f := range files {
			<-all[i].done
			notes.WriteString(all[i].note.String())
			if all[i].err != nil {
				return all[i].err
			}
			one, recs := all[i].res, all[i].recs
			all[i].recs = nil
			numberRepeats(recs, seen)
			for _, r := range recs {
				row := int(r.Num) // Num carries the row while parsing
				if old, ok := existing[r.SourceKey]; ok {
					r.ID, r.Num, r.CreatedAt, r.UpdatedAt = old.ID, old.Num, old.CreatedAt, old.UpdatedAt
					if sameContent(old, r) {
						one.Unchanged++
						continue
					}
					r.UpdatedAt = now
					if err := update(ctx, tx, r); err != nil {
						return fmt.Errorf("row %d: %w", row, err)
					}
					written = append(written, rowOf(r))
					one.Updated++
					continue
				}
				r.Num, r.CreatedAt, r.UpdatedAt = num, now, now
				num++
				existing[r.SourceKey] = r
				ld.add(r)
				one.Inserted++
			}
			if err := ld.flush(ctx); err != nil {
				return err
			}
			name := ""
			if len(files) > 1 {
				name = filepath.Base(f)
			}
			total.Add(name, one)
		}
		if err := ld.finish(ctx); err != nil {
			return err
		}
		written = append(written, ld.rows...)
		noteWrite(ctx, tx, before, written)
		if err := checksOn(ctx, tx); err != nil {
			return err
		}
		// The recommendations are shared by every institution: the import
		// goes to the instance's own audit chain, with counts only.
		env := importer.EnvFrom(ctx)
		return env.Audit.Append(ctx, tx, audit.Entry{Institution: access.SystemChain, ActorName: env.Actor, Action: "recommendations.import",
			ObjectType: "recommendations", Detail: fmt.Sprintf("source=upr-info files=%d inserted=%d updated=%d unchanged=%d rejected=%d",
				len(files), total.Inserted, total.Updated, total.Unchanged, total.Rejected)})
	})
	// The notes of the run that counted, also when it failed: they may
	// tell why a file could not be read.
	if Notes != nil {
		io.WriteString(Notes, notes.String())
	}
	if err != nil {
		// Nothing was committed: the counts would be misleading.
		return importer.Result{Errors: total.Errors}, err
	}
	return total, nil
}

// lessGC lets the Go collector run a quarter as often until the function
// it returns is called: an import owns the process (the command runs it),
// and this costs some 70 MB more at the peak and spares about a tenth of
// the import's CPU time. Imports running at the same time share the
// setting; the last one to end puts the previous one back.
func lessGC() func() {
	gc.Lock()
	defer gc.Unlock()
	if gc.users == 0 {
		gc.prev = debug.SetGCPercent(400)
	}
	gc.users++
	return func() {
		gc.Lock()
		defer gc.Unlock()
		if gc.users--; gc.users == 0 {
			debug.SetGCPercent(gc.prev)
		}
	}
}

var gc struct {
	sync.Mutex
	users, prev int
}

// checksOn turns SQLite's CHECK constraints back on (an import turns them
// off while it writes records it has validated).
func checksOn(ctx context.Context, q db.Q) error {
	if q.Dialect() != db.SQLite {
		return nil
	}
	_, err := q.Exec(context.WithoutCancel(ctx), "PRAGMA ignore_check_constraints = OFF")
	return err
}

// importResolver is the country list the imports map State names through,
// or an error saying how to load it when it is empty.
func importResolver(ctx context.Context, q db.Q) (*country.Resolver, error) {
	cr, err := country.LoadResolver(ctx, q)
	if err == nil && cr.Empty() {
		err = errors.New("the country list is empty: run `vigil import countries DIR` (e.g. ../shared/data/iso3166) first, so that country names can be mapped to ISO codes")
	}
	return cr, err
}

// startImport reads what an import of source needs before it writes: the
// source's stored recommendations, the next free full-text key, and the
// search index's token (tokenBeforeWrite).
func startImport(ctx context.Context, q db.Q, source string) (existing map[string]*Recommendation, num int64, before string, err error) {
	if existing, err = loadBySource(ctx, q, source); err != nil {
		return nil, 0, "", err
	}
	if num, err = nextNum(ctx, q); err != nil {
		return nil, 0, "", err
	}
	return existing, num, tokenBeforeWrite(ctx, q), nil
}

func loadBySource(ctx context.Context, q db.Q, source string) (map[string]*Recommendation, error) {
	rows, err := q.Query(ctx, "SELECT "+recColumns+" FROM recommendations WHERE source = ?", source)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*Recommendation{}
	for rows.Next() {
		r, err := scanRec(rows)
		if err != nil {
			return nil, err
		}
		out[r.SourceKey] = &r
	}
	return out, rows.Err()
}

// readUPRInfo parses one export. Rows it cannot use are rejected in res; the
// records it returns carry their row number in Num until they are saved.
// The note saying what was detected goes to note. Keys are not yet made
// unique: numberRepeats does that, in file order.
func readUPRInfo(path string, cr *country.Resolver, res *importer.Result, note *strings.Builder, p *importer.Progress) ([]*Recommendation, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := Decode(raw)
	fmt.Fprintf(note, "%s: detected %s text with %s line ends%s\n", filepath.Base(path), dec.Encoding, dec.LineEnds,
		map[bool]string{true: "; converted to UTF-8 with LF", false: ""}[dec.Converted])
	p.SetLabel("upr-info " + filepath.Base(path))
	r := csv.NewReader(bytes.NewReader(dec.Text))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true // fields are copied out (as strings) before the next row
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: no header row: %w", path, err)
	}
	idx := map[string]int{}
	for i, h := range header {
		idx[strings.TrimSpace(h)] = i
	}
	for _, c := range uprColumns {
		if _, ok := idx[c]; !ok {
			return nil, fmt.Errorf("%s: column %q is missing (have %s); is this a UPR Info export?", path, c, strings.Join(header, ", "))
		}
	}
	get := func(rec []string, col string) string {
		if i, ok := idx[col]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []*Recommendation
	names := &memo{cr: cr, seen: map[string]memoCode{}}
	for row := 2; ; row++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		p.Add(1)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		x, ok := uprRow(row, func(c string) string { return html.UnescapeString(get(rec, c)) }, names, res)
		if !ok {
			continue
		}
		out = append(out, x)
	}
	return out, nil
}

// numberRepeats makes keys unique: the source repeats a few rows exactly,
// and the second one gets "#2" after its key, the third "#3"...
func numberRepeats(recs []*Recommendation, seen map[string]int) {
	for _, x := range recs {
		base := x.SourceKey
		seen[base]++
		if n := seen[base]; n > 1 {
			x.SourceKey = base + "#" + strconv.Itoa(n)
		}
	}
}

// parsed is one file read by readAll; done is closed when it is.
type parsed struct {
	recs []*Recommendation
	res  importer.Result
	note strings.Builder
	err  error
	done chan struct{}
}

// readAll starts parsing the files (decoding, CSV, country mapping and
// keys are pure computation) and returns at once; each file's done
// channel closes when it is parsed. Files are taken in order by one
// goroutine per processor but the one the caller writes on (at least
// one): parsing a file takes a fraction of the time writing it does, so
// more would only fight the writer for the processors. Every goroutine
// ends on its own, even if the caller stops waiting.
func readAll(files []string, cr *country.Resolver, p *importer.Progress) []*parsed {
	out := make([]*parsed, len(files))
	for i := range out {
		out[i] = &parsed{res: importer.Result{Errors: []importer.RowError{}}, done: make(chan struct{})}
	}
	next := make(chan int, len(files))
	for i := range files {
		next <- i
	}
	close(next)
	for w := 0; w < min(len(files), max(1, runtime.GOMAXPROCS(0)-1)); w++ {
		go func() {
			for i := range next {
				x := out[i]
				x.recs, x.err = readUPRInfo(files[i], cr, &x.res, &x.note, p)
				close(x.done)
			}
		}()
	}
	return out
}

// resolver maps a country name to its alpha-3 code (country.Resolver, or
// memo in front of it).
type resolver interface {
	Resolve(name string) (string, bool)
}

// memo remembers the names a file has already resolved: a file names the
// same two hundred States over and over, and normalising a name is the
// costly part of resolving it. One file's goroutine only.
type memo struct {
	cr   *country.Resolver
	seen map[string]memoCode
}

type memoCode struct {
	code string
	ok   bool
}

func (m *memo) Resolve(name string) (string, bool) {
	if c, hit := m.seen[name]; hit {
		return c.code, c.ok
	}
	code, ok := m.cr.Resolve(name)
	m.seen[name] = memoCode{code, ok}
	return code, ok
}

func uprRow(row int, get func(string) string, cr resolver, res *importer.Result) (*Recommendation, bool) {
	rejected := false
	reject := func(field, format string, args ...any) {
		if !rejected {
			res.Reject(row, field, format, args...)
		} else {
			res.Problem(row, field, format, args...)
		}
		rejected = true
	}
	x := &Recommendation{Source: "upr-info", Mechanism: "upr", Body: "Human Rights Council (UPR Working Group)", Num: int64(row)}
	sur, ok := cr.Resolve(get("To"))
	if !ok {
		reject("To", "State under review %q is not in the country list or its aliases", get("To"))
	}
	x.StateUnderReview = sur
	switch resp := get("Response"); resp {
	case "Accepted":
		x.Response = "supported"
	case "Noted":
		x.Response = "noted"
	case "Voluntary Pledge":
		x.Response, x.Kind = "pledge", "voluntary_pledge"
	case "":
		x.Response = "pending"
	default:
		reject("Response", "%q is not Accepted, Noted or Voluntary Pledge", resp)
	}
	if x.Kind == "" {
		x.Kind = "recommendation"
	}
	from := get("From")
	switch {
	case from == "" && x.Kind == "voluntary_pledge":
		x.RecommendingState = sur
	case from == "(Unknown)":
		// UPR Info could not tell who made the recommendation (nine rows
		// of session 1): kept, with the recommending State left blank.
		x.RecommendingState = ""
	case from == "":
		reject("From", "the recommending State is missing")
	default:
		code, ok := cr.Resolve(from)
		if !ok {
			reject("From", "recommending State %q is not in the country list or its aliases", from)
		}
		x.RecommendingState = code
	}
	x.Text = strings.TrimSpace(get("Text"))
	if x.Text == "" {
		reject("Text", "empty")
	}
	if a := get("Action"); a != "" {
		n, err := strconv.Atoi(a)
		if err != nil || n < 1 || n > 5 {
			reject("Action", "%q is not an action category 1-5", a)
		}
		x.ActionCategory = n
	}
	s, err := strconv.Atoi(get("Session"))
	if err != nil || s < 1 {
		reject("Session", "%q is not a session number", get("Session"))
	}
	x.Session, x.Cycle = strconv.Itoa(s), CycleOfSession(s)
	for _, t := range strings.Split(get("Issue"), ",") {
		x.Themes = append(x.Themes, strings.TrimSpace(t))
	}
	if rejected {
		return nil, false
	}
	x.folded, x.foldedOf = Fold(x.Text), x.Text
	var buf [512]byte
	key := append(buf[:0], x.Kind...)
	for _, part := range []string{x.StateUnderReview, x.Session, x.RecommendingState, oneSpaced(x.Text)} {
		key = append(append(key, 0), part...)
	}
	h := sha256.Sum256(key)
	x.SourceKey = hex.EncodeToString(h[:16])
	x.Themes = normThemes(x.Themes)
	if err := x.validate(); err != nil {
		res.Reject(row, "", "%v", err)
		return nil, false
	}
	return x, true
}

// oneSpaced is strings.Join(strings.Fields(s), " "), without building
// anything for the usual text: ASCII with single spaces between words.
func oneSpaced(s string) string {
	space := true // a leading space is a run to remove
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x80 || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' || c == ' ' && space:
			return strings.Join(strings.Fields(s), " ")
		default:
			space = c == ' '
		}
	}
	if space && s != "" {
		return strings.Join(strings.Fields(s), " ")
	}
	return s
}

// CycleOfSession maps a UPR Working Group session to its review cycle:
// sessions 1-12 were the first cycle, 13-26 the second, 27-40 the third,
// 41 onwards the fourth.
func CycleOfSession(s int) int {
	switch {
	case s <= 0:
		return 0
	case s <= 12:
		return 1
	case s <= 26:
		return 2
	case s <= 40:
		return 3
	default:
		return 4
	}
}
