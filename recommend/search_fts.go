package recommend

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"vigil/db"
)

// Reading the FTS5 index directly. A query's match set used to come from
// `SELECT group_concat(rowid) … MATCH ?`: FTS5 walked its doclists and the
// SQLite virtual machine stepped once per match to append the number to a
// string, which with the pure-Go driver was most of a first-time query's
// time. Here the doclists are read from FTS5's own tables, in the same
// transaction (so they are exactly what MATCH would see), with one SQL
// statement for all the pages a query needs, and AND, OR, NOT, phrases and
// prefixes are evaluated in Go on sorted arrays.
//
// The format read is FTS5's documented on-disk format (sqlite
// ext/fts5/fts5_index.c, "Details"): a structure record (id 10 of
// recommendations_fts_data) lists the segments, newest level first;
// recommendations_fts_idx maps (segment, term prefix) to the leaf page a
// term starts on; leaf pages hold terms prefix-compressed, each followed
// by its doclist (rowid deltas, each with a position list). A rowid that
// appears in several segments is taken from the newest one, and an entry
// with an empty position list there means the row no longer has the term.
//
// Anything this reader does not expect — a structure record of another
// version (contentless-delete tables), an option that changes the format
// (detail=column/none), a word that is not plain ASCII letters and digits,
// a page that does not parse — makes it give up, and the search asks FTS5
// as before. TestFTSDirectAgreesWithMatch compares the two on a store
// with many segments, deletions and updates.

// errFTSUnsupported means "ask FTS5 instead"; never shown to a user.
var errFTSUnsupported = errors.New("recommend: FTS5 index not readable directly")

// ftsDirectOff lets tests force the MATCH path.
var ftsDirectOff atomic.Bool

// ftsDirectReads counts match sets read from the index directly (tests).
var ftsDirectReads atomic.Int64

type ftsSeg struct {
	id, first, last int64
}

// FTS5 data ids: segment id, doclist-index flag, height, page number.
func ftsPageID(seg, pg int64) int64 { return seg<<37 + pg }

// maxRowid: rowids are nums, kept as int32 like the facet index's.
const maxRowid = 1<<31 - 1

func ftsVarint(b []byte, i int) (uint64, int, bool) {
	if i < len(b) && b[i] < 0x80 {
		return uint64(b[i]), i + 1, true
	}
	var v uint64
	for k := 0; k < 8; k++ {
		if i+k >= len(b) {
			return 0, i, false
		}
		c := b[i+k]
		v = v<<7 | uint64(c&0x7f)
		if c < 0x80 {
			return v, i + k + 1, true
		}
	}
	if i+8 >= len(b) {
		return 0, i, false
	}
	return v<<8 | uint64(b[i+8]), i + 9, true
}

// ftsStructure decodes the structure record into the segments, newest
// first (level 0 first; within a level, the last segment is the newest).
func ftsStructure(b []byte) ([]ftsSeg, error) {
	if len(b) < 5 {
		return nil, errFTSUnsupported
	}
	if b[4] == 0xff {
		// The V2 record of contentless_delete tables (tombstones).
		return nil, errFTSUnsupported
	}
	i := 4
	var ok bool
	var nLevel, nSeg uint64
	if nLevel, i, ok = ftsVarint(b, i); !ok {
		return nil, errFTSUnsupported
	}
	if nSeg, i, ok = ftsVarint(b, i); !ok {
		return nil, errFTSUnsupported
	}
	if _, i, ok = ftsVarint(b, i); !ok { // write counter
		return nil, errFTSUnsupported
	}
	if nLevel > 64 || nSeg > 2000 {
		return nil, errFTSUnsupported
	}
	var out []ftsSeg
	total := 0
	for l := uint64(0); l < nLevel; l++ {
		var n uint64
		if _, i, ok = ftsVarint(b, i); !ok { // segments in an ongoing merge
			return nil, errFTSUnsupported
		}
		if n, i, ok = ftsVarint(b, i); !ok || n > nSeg {
			return nil, errFTSUnsupported
		}
		level := make([]ftsSeg, n)
		for s := range level {
			var id, first, last uint64
			if id, i, ok = ftsVarint(b, i); !ok {
				return nil, errFTSUnsupported
			}
			if first, i, ok = ftsVarint(b, i); !ok {
				return nil, errFTSUnsupported
			}
			if last, i, ok = ftsVarint(b, i); !ok {
				return nil, errFTSUnsupported
			}
			if id == 0 || id > 0xffff || last > 1<<31 || (first > 0 && last < first) {
				return nil, errFTSUnsupported
			}
			level[s] = ftsSeg{id: int64(id), first: int64(first), last: int64(last)}
		}
		total += len(level)
		for s := len(level) - 1; s >= 0; s-- {
			if level[s].first > 0 { // 0: emptied by an incremental merge
				out = append(out, level[s])
			}
		}
	}
	if uint64(total) != nSeg {
		return nil, errFTSUnsupported
	}
	return out, nil
}

// ftsLeaf is one leaf page.
type ftsLeaf struct {
	b      []byte
	szLeaf int   // where the page index (term offsets) starts
	terms  []int // offsets of the terms that start on the page
	rowid  int   // offset of the first rowid, when before the first term (else 0)
}

func parseLeaf(b []byte) (*ftsLeaf, bool) {
	if len(b) < 4 {
		return nil, false
	}
	l := &ftsLeaf{b: b, rowid: int(b[0])<<8 | int(b[1]), szLeaf: int(b[2])<<8 | int(b[3])}
	if l.szLeaf < 4 || l.szLeaf > len(b) || l.rowid > l.szLeaf {
		return nil, false
	}
	off := 0
	for i := l.szLeaf; i < len(b); {
		v, n, ok := ftsVarint(b, i)
		if !ok {
			return nil, false
		}
		i = n
		off += int(v)
		if off < 4 || off >= l.szLeaf {
			return nil, false
		}
		l.terms = append(l.terms, off)
	}
	return l, true
}

// ftsEntry is one row of a doclist: its rowid and position list, as
// arena[off:off+n] of the ftsArena it was read into (n == 0: the row was
// deleted or no longer has the term). No pointers: cheap to allocate and
// for the garbage collector.
type ftsEntry struct {
	rowid int32
	off   uint32
	n     uint32
}

// ftsArena holds the position lists of one term's entries.
type ftsArena struct{ b []byte }

func (a *ftsArena) add(p []byte) (uint32, uint32) {
	off := len(a.b)
	a.b = append(a.b, p...)
	return uint32(off), uint32(len(p))
}

func (a *ftsArena) pos(e ftsEntry) []byte { return a.b[e.off : e.off+e.n] }

// segReader reads the terms and doclists of one segment from pages loaded
// beforehand.
type segReader struct {
	seg   ftsSeg
	pages map[int64]*ftsLeaf // by page number
}

func (s *segReader) page(pg int64) (*ftsLeaf, bool) {
	if pg < s.seg.first || pg > s.seg.last {
		return nil, false
	}
	l, ok := s.pages[pg]
	return l, ok
}

var errFTSMissing = errors.New("recommend: FTS5 page not loaded")

// scan walks the terms of the segment from page pg on, reading the
// doclist of each term for which want gives a sink into it, and stopping
// at the first term for which want says "stop" (or after the first taken,
// when once).
func (s *segReader) scan(pg int64, want func(term []byte) (sink *ftsSink, stop bool), once bool) error {
	l, ok := s.page(pg)
	if !ok {
		return errFTSMissing
	}
	// Find the first term on or after pg.
	for len(l.terms) == 0 {
		pg++
		if pg > s.seg.last {
			return nil
		}
		if l, ok = s.page(pg); !ok {
			return errFTSMissing
		}
	}
	ti := 0 // index into l.terms of the term being read
	var term []byte
	for {
		// Decode the term at l.terms[ti].
		off := l.terms[ti]
		keep := uint64(0)
		if ti > 0 {
			if keep, off, ok = ftsVarint(l.b, off); !ok || int(keep) > len(term) {
				return errFTSUnsupported
			}
		}
		nNew, off2, ok := ftsVarint(l.b, off)
		if !ok || nNew == 0 || off2+int(nNew) > l.szLeaf {
			return errFTSUnsupported
		}
		term = append(term[:keep], l.b[off2:off2+int(nNew)]...)
		sink, stop := want(term)
		if stop {
			return nil
		}
		npg, nl, nti, err := s.doclist(pg, l, ti, off2+int(nNew), sink)
		if err != nil {
			return err
		}
		if sink != nil && once {
			return nil
		}
		if nl == nil {
			return nil // end of the segment
		}
		pg, l, ti = npg, nl, nti
	}
}

// doclist reads the doclist that starts at offset off of page l (number
// pg; the term is l.terms[ti]) and returns where the next term is: its
// page, the page itself and the index of the term in it (nil at the end
// of the segment). The entries go to sink (nil: they are only skipped).
func (s *segReader) doclist(pg int64, l *ftsLeaf, ti int, off int, sink *ftsSink) (int64, *ftsLeaf, int, error) {
	collect := sink != nil
	wantPos := collect && sink.pos
	// End of this doclist's data on the current page: the next term.
	end := l.szLeaf
	if ti+1 < len(l.terms) {
		end = l.terms[ti+1]
	}
	var ok bool
	var rowid int32 // rowids here are nums, which fit; larger ones give up
	// next moves to the next page that holds a rowid or a term, as FTS5
	// does after a position list that ends at or beyond a page's end.
	// found: a rowid was read there (literal, not a delta).
	next := func() (bool, error) {
		for {
			pg++
			if pg > s.seg.last {
				l = nil
				return false, nil
			}
			nl, ok := s.page(pg)
			if !ok {
				return false, errFTSMissing
			}
			l = nl
			end = l.szLeaf
			if len(l.terms) > 0 {
				end = l.terms[0]
			}
			if l.rowid != 0 && l.rowid < l.szLeaf && (len(l.terms) == 0 || l.rowid < l.terms[0]) {
				v, n, ok := ftsVarint(l.b, l.rowid)
				if !ok || v > maxRowid {
					return false, errFTSUnsupported
				}
				rowid, off = int32(v), n
				return true, nil
			}
			if len(l.terms) > 0 {
				off = l.terms[0]
				return false, nil
			}
		}
	}
	// The first rowid: right after the term, or at the start of the next
	// page when the term ends its page.
	if off >= l.szLeaf {
		found, err := next()
		if err != nil || !found {
			if err == nil {
				err = errFTSUnsupported // a term without a doclist
			}
			return 0, nil, 0, err
		}
	} else {
		var v uint64
		if v, off, ok = ftsVarint(l.b, off); !ok {
			return 0, nil, 0, errFTSUnsupported
		}
		if v > maxRowid {
			return 0, nil, 0, errFTSUnsupported
		}
		rowid = int32(v)
	}
	for {
		// Position list size (bytes*2 + delete flag), then the list.
		var sz uint64
		if off >= l.szLeaf {
			return 0, nil, 0, errFTSUnsupported // FTS5 never splits a rowid from its size
		}
		if sz, off, ok = ftsVarint(l.b, off); !ok || off > l.szLeaf {
			return 0, nil, 0, errFTSUnsupported
		}
		n := int(sz >> 1)
		if off+n < l.szLeaf {
			if collect {
				if !wantPos {
					if n > 0 {
						sink.ids = append(sink.ids, rowid)
					} else {
						sink.ids = append(sink.ids, ^rowid)
					}
				} else if sink.keep == nil || sink.keep.has(rowid) {
					o, m := sink.arena.add(l.b[off : off+n])
					sink.entries = append(sink.entries, ftsEntry{rowid: rowid, off: o, n: m})
				}
			}
			off += n
			if off < end {
				var d uint64
				if d, off, ok = ftsVarint(l.b, off); !ok || d == 0 {
					return 0, nil, 0, errFTSUnsupported
				}
				if d > maxRowid-uint64(rowid) {
					return 0, nil, 0, errFTSUnsupported
				}
				rowid += int32(d)
				continue
			}
			// The next term on this page.
			if off != end || end >= l.szLeaf {
				return 0, nil, 0, errFTSUnsupported
			}
			for k, t := range l.terms {
				if t == end {
					return pg, l, k, nil
				}
			}
			return 0, nil, 0, errFTSUnsupported
		}
		// The list runs to the end of the page or beyond: gather it from
		// the following pages (from byte 4 of each) when wanted.
		if collect {
			if !wantPos {
				if n > 0 {
					sink.ids = append(sink.ids, rowid)
				} else {
					sink.ids = append(sink.ids, ^rowid)
				}
			} else if sink.keep == nil || sink.keep.has(rowid) {
				buf := append([]byte(nil), l.b[off:l.szLeaf]...)
				rest := n - (l.szLeaf - off)
				for p := pg + 1; rest > 0; p++ {
					cl, ok := s.page(p)
					if !ok {
						return 0, nil, 0, errFTSMissing
					}
					take := min(rest, cl.szLeaf-4)
					if take <= 0 {
						return 0, nil, 0, errFTSUnsupported
					}
					buf = append(buf, cl.b[4:4+take]...)
					rest -= take
				}
				o, m := sink.arena.add(buf)
				sink.entries = append(sink.entries, ftsEntry{rowid: rowid, off: o, n: m})
			}
		}
		found, err := next()
		if err != nil {
			return 0, nil, 0, err
		}
		if l == nil {
			return 0, nil, 0, nil
		}
		if !found { // the doclist ended with the page; a term follows
			return pg, l, 0, nil
		}
	}
}

// ftsSink receives one term's doclist in one segment: rowids only (a
// deleted entry as ^rowid), or with position lists (only for rowids in
// keep, when set).
type ftsSink struct {
	term    string
	seg     int
	pos     bool
	keep    *bitset
	ids     []int32
	entries []ftsEntry
	arena   *ftsArena // shared by the sinks of one term
}

// ftsLookup is a term or prefix as looked up in the index: the key is
// FTS5's '0' (main index) followed by the stemmed term.
type ftsLookup struct {
	key    []byte
	prefix bool
	// Filled by load: per segment (in segment order), the page to start
	// at (-1: none) and the number of pages read for the term.
	start, pages []int64
}

// total is the number of pages read for the term in all segments.
func (t *ftsLookup) total() int64 {
	var n int64
	for _, p := range t.pages {
		n += p
	}
	return n
}

// upper is the first key past this term (or past every term with this
// prefix).
func (t *ftsLookup) upper() []byte {
	if t.prefix {
		u := append([]byte(nil), t.key...)
		for i := len(u) - 1; i >= 0; i-- {
			if u[i] < 0xff {
				u[i]++
				return u[:i+1]
			}
		}
		return nil
	}
	return append(append([]byte(nil), t.key...), 0)
}

// ftsQuery holds what one search reads from the index.
type ftsQuery struct {
	segs    []ftsSeg
	readers []*segReader
	lookups map[string]*ftsLookup // by key + prefix flag
	order   []*ftsLookup
}

func (fq *ftsQuery) lookup(word string, prefix bool) *ftsLookup {
	k := word
	if prefix {
		k += "*"
	}
	if t, ok := fq.lookups[k]; ok {
		return t
	}
	t := &ftsLookup{key: append([]byte{'0'}, word...), prefix: prefix}
	fq.lookups[k] = t
	fq.order = append(fq.order, t)
	return t
}

// collect registers every term of the tree; false when a word is not
// plain ASCII letters and digits (the index's tokenizer then decides).
func (fq *ftsQuery) collect(n *node) bool {
	switch n.kind {
	case nTerm, nPhrase:
		for _, w := range n.words {
			if !plainWord(w) {
				return false
			}
			fq.lookup(porterStem(w), n.kind == nTerm && n.prefix)
		}
		return true
	default:
		for _, k := range n.kids {
			if !fq.collect(k) {
				return false
			}
		}
		return true
	}
}

func plainWord(w string) bool {
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// load reads the structure, then in one statement the pages every term
// needs in every segment: from the page the term would start on (the
// last index entry at or before it) to the first page whose first term
// lies beyond it (a doclist never runs past that page).
func (fq *ftsQuery) load(ctx context.Context, q db.Q, token string) error {
	// With the term index of this state of the FTS5 index in memory
	// already, the structure record and the pages come in one statement;
	// should the structure have changed meanwhile, the pages are asked
	// again from the fresh one.
	ix := ftsIdxFor(token)
	if ix != nil {
		st, err := fq.loadPages(ctx, q, ix, true)
		if err != nil || st == nil || bytes.Equal(st, ix.structure) {
			return err
		}
	}
	var st []byte
	if err := q.QueryRow(ctx, "SELECT block FROM recommendations_fts_data WHERE id = 10").Scan(&st); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return errFTSUnsupported
		}
		return err
	}
	ix, err := loadFTSIdx(ctx, q, token, st)
	if err != nil {
		return err
	}
	_, err = fq.loadPages(ctx, q, ix, false)
	return err
}

// ftsIdx is recommendations_fts_idx (which leaf page each term range
// starts on, per segment) for one state of the FTS5 index: small (one
// entry per leaf page that starts a term), read whole once per state and
// kept like the facet index. The state is the recommendations' change
// token together with the structure record, which lists every segment and
// its pages and so changes whenever FTS5 writes or merges.
type ftsIdx struct {
	key       string
	structure []byte
	segs      []ftsSeg
	terms     map[int64][]string // by segment: the index's term prefixes, ascending
	pages     map[int64][]int64  // the page of each
}

var ftsIdxCache struct {
	sync.Mutex
	ix *ftsIdx
}

func ftsIdxFor(token string) *ftsIdx {
	ftsIdxCache.Lock()
	defer ftsIdxCache.Unlock()
	if ix := ftsIdxCache.ix; ix != nil && strings.HasPrefix(ix.key, token+"\x00") {
		return ix
	}
	return nil
}

func loadFTSIdx(ctx context.Context, q db.Q, token string, st []byte) (*ftsIdx, error) {
	key := token + "\x00" + string(st)
	ftsIdxCache.Lock()
	if ix := ftsIdxCache.ix; ix != nil && ix.key == key {
		ftsIdxCache.Unlock()
		return ix, nil
	}
	ftsIdxCache.Unlock()
	segs, err := ftsStructure(st)
	if err != nil {
		return nil, err
	}
	// Options that change what a doclist holds (detail=column or none:
	// no positions or no offsets) are not read here.
	var create string
	if err := q.QueryRow(ctx, "SELECT sql FROM sqlite_master WHERE name = 'recommendations_fts'").Scan(&create); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, errFTSUnsupported
		}
		return nil, err
	}
	if c := strings.ToLower(create); strings.Contains(c, "detail") || !strings.Contains(c, "fts5(search_text") {
		return nil, errFTSUnsupported
	}
	ix := &ftsIdx{key: key, structure: st, segs: segs, terms: map[int64][]string{}, pages: map[int64][]int64{}}
	rows, err := q.Query(ctx, "SELECT segid, term, pgno >> 1 FROM recommendations_fts_idx ORDER BY segid, term")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var seg, pg int64
		var term []byte
		if err := rows.Scan(&seg, &term, &pg); err != nil {
			return nil, err
		}
		ix.terms[seg] = append(ix.terms[seg], string(term))
		ix.pages[seg] = append(ix.pages[seg], pg)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// "empty" (no change token yet: a store whose rows predate migration
	// 0013 and were not written since) does not tell two stores apart, so
	// such an index is used for this search only.
	if token != "empty" {
		ftsIdxCache.Lock()
		ftsIdxCache.ix = ix
		ftsIdxCache.Unlock()
	}
	return ix, nil
}

// pageRange is the pages of segment sg that can hold t: from the last
// index entry at or before its key (as FTS5 seeks) to the first entry
// beyond every key it covers (a doclist never runs past that page).
func (ix *ftsIdx) pageRange(sg ftsSeg, t *ftsLookup) (int64, int64, bool) {
	terms, pages := ix.terms[sg.id], ix.pages[sg.id]
	key := string(t.key)
	from := sg.first
	// Index of the first entry > key.
	i := sort.SearchStrings(terms, key)
	if i < len(terms) && terms[i] == key {
		i++
	}
	if i > 0 {
		from = max(from, pages[i-1])
	}
	to := sg.last
	var j int
	if t.prefix {
		up := t.upper()
		if up == nil {
			return 0, 0, false
		}
		j = sort.SearchStrings(terms, string(up)) // first entry >= up
	} else {
		j = i // first entry > key
	}
	if j < len(terms) {
		to = min(to, pages[j])
	}
	return from, to, true
}

// loadPages reads, in one statement, the pages of every term in every
// segment of ix (and, with withStructure, the structure record first,
// which it returns).
func (fq *ftsQuery) loadPages(ctx context.Context, q db.Q, ix *ftsIdx, withStructure bool) ([]byte, error) {
	segs := ix.segs
	fq.segs = segs
	fq.readers = make([]*segReader, len(segs))
	for i, s := range segs {
		fq.readers[i] = &segReader{seg: s, pages: map[int64]*ftsLeaf{}}
	}
	// [part, first data id, last data id] per term and segment.
	var js strings.Builder
	js.WriteByte('[')
	n := 0
	for ti, t := range fq.order {
		t.start, t.pages = make([]int64, len(segs)), make([]int64, len(segs))
		for si, sg := range segs {
			t.start[si] = -1
			from, to, ok := ix.pageRange(sg, t)
			if !ok {
				return nil, errFTSUnsupported
			}
			if from > to {
				continue
			}
			if n > 0 {
				js.WriteByte(',')
			}
			n++
			fmt.Fprintf(&js, "[%d,%d,%d]", ti*len(segs)+si, ftsPageID(sg.id, from), ftsPageID(sg.id, to))
		}
	}
	js.WriteByte(']')
	pagesSQL := "SELECT j.value ->> 0, d.id, d.block FROM json_each(?) AS j CROSS JOIN recommendations_fts_data AS d WHERE d.id BETWEEN j.value ->> 1 AND j.value ->> 2"
	if withStructure {
		pagesSQL = "SELECT -1, id, block FROM recommendations_fts_data WHERE id = 10 UNION ALL " + pagesSQL
	}
	var st []byte
	rows, err := q.Query(ctx, pagesSQL, js.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var part int
		var id int64
		// RawBytes: the pure-Go driver hands every blob over in a new
		// slice of its own, which database/sql would otherwise copy once
		// more; the pages are kept past the next row on that ground.
		// (Were a driver to reuse its buffer, the pages would change under
		// the reader: TestFTSDirectAgreesWithMatch would fail.)
		var blk sql.RawBytes
		if err := rows.Scan(&part, &id, &blk); err != nil {
			return nil, err
		}
		if part == -1 {
			if st = blk; !bytes.Equal(st, ix.structure) {
				return st, nil // changed: the caller starts again
			}
			continue
		}
		if len(segs) == 0 {
			return nil, errFTSUnsupported
		}
		ti, si := part/len(segs), part%len(segs)
		if ti < 0 || ti >= len(fq.order) {
			return nil, errFTSUnsupported
		}
		r := fq.readers[si]
		pg := id - ftsPageID(r.seg.id, 0)
		t := fq.order[ti]
		if t.start[si] < 0 || pg < t.start[si] {
			t.start[si] = pg
		}
		t.pages[si]++
		if _, dup := r.pages[pg]; dup {
			continue
		}
		l, ok := parseLeaf(blk)
		if !ok {
			return nil, errFTSUnsupported
		}
		r.pages[pg] = l
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if withStructure && st == nil {
		return nil, errFTSUnsupported
	}
	return st, nil
}

// scanTerm reads t (one term, or every term with the prefix) in every
// segment, newest first: one sink per term and segment, in that order.
func (fq *ftsQuery) scanTerm(t *ftsLookup, wantPos bool, keep *bitset, arena *ftsArena) ([]*ftsSink, error) {
	var sinks []*ftsSink
	for si, r := range fq.readers {
		if t.start[si] < 0 {
			continue // no page of this segment can hold the term
		}
		want := func(term []byte) (*ftsSink, bool) {
			c := bytes.Compare(term, t.key)
			take, stop := c == 0, c > 0
			if t.prefix {
				take, stop = bytes.HasPrefix(term, t.key), c > 0 && !bytes.HasPrefix(term, t.key)
			}
			if !take {
				return nil, stop
			}
			k := &ftsSink{term: string(term), seg: si, pos: wantPos, keep: keep, arena: arena}
			if !wantPos {
				k.ids = make([]int32, 0, t.pages[si]*1024)
			} else if keep != nil {
				k.entries = make([]ftsEntry, 0, min(keep.n, int(t.pages[si])*400))
			} else {
				k.entries = make([]ftsEntry, 0, t.pages[si]*300)
			}
			sinks = append(sinks, k)
			return k, false
		}
		if err := r.scan(t.start[si], want, !t.prefix); err != nil {
			return nil, err
		}
	}
	return sinks, nil
}

// termIDs gives the rowids having t (any term with the prefix), ascending.
func (fq *ftsQuery) termIDs(t *ftsLookup, keep *bitset) ([]int32, error) {
	sinks, err := fq.scanTerm(t, false, nil, nil)
	if err != nil {
		return nil, err
	}
	byTerm := map[string][][]int32{}
	var terms []string
	for _, k := range sinks {
		if _, ok := byTerm[k.term]; !ok {
			terms = append(terms, k.term)
		}
		byTerm[k.term] = append(byTerm[k.term], k.ids)
	}
	var out []int32
	for i, term := range terms {
		ids := mergeNewest(byTerm[term])
		if i == 0 {
			out = ids
		} else {
			out = mergePrefer(out, ids) // both hold live rowids only: a plain union
		}
	}
	if keep != nil {
		kept := out[:0]
		for _, id := range out {
			if keep.has(id) {
				kept = append(kept, id)
			}
		}
		out = kept
	}
	return out, nil
}

func absID(x int32) int32 {
	if x < 0 {
		return ^x
	}
	return x
}

// mergeNewest merges the rowid lists of several segments (newest first):
// for a rowid in several, the newest entry counts, and rows whose
// counting entry is deleted (^rowid) are left out.
func mergeNewest(lists [][]int32) []int32 {
	if len(lists) == 1 { // the list is this query's own: filtered in place
		out := lists[0][:0]
		for _, x := range lists[0] {
			if x >= 0 {
				out = append(out, x)
			}
		}
		return out
	}
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	out := make([]int32, 0, n)
	if len(lists) > 1 {
		// Usually each segment holds its own range of rows (they were
		// written in order): then the lists are simply put one after the
		// other. Otherwise they are merged pairwise, newer winning.
		order := make([]int, 0, len(lists))
		for i, l := range lists {
			if len(l) > 0 {
				order = append(order, i)
			}
		}
		slices.SortFunc(order, func(a, b int) int { return cmp.Compare(absID(lists[a][0]), absID(lists[b][0])) })
		disjoint := true
		for k := 1; k < len(order); k++ {
			prev, next := lists[order[k-1]], lists[order[k]]
			if absID(prev[len(prev)-1]) >= absID(next[0]) {
				disjoint = false
				break
			}
		}
		if !disjoint {
			acc := lists[0]
			for _, l := range lists[1:] {
				acc = mergePrefer(acc, l)
			}
			lists = [][]int32{acc}
		} else {
			sorted := make([][]int32, len(order))
			for k, i := range order {
				sorted[k] = lists[i]
			}
			lists = sorted
		}
	}
	for _, l := range lists {
		for _, x := range l {
			if x >= 0 {
				out = append(out, x)
			}
		}
	}
	return out
}

// mergePrefer merges two ascending lists (by absID), keeping a's entry
// when both have a rowid.
func mergePrefer(a, b []int32) []int32 {
	out := make([]int32, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		x, y := absID(a[i]), absID(b[j])
		switch {
		case x < y:
			out = append(out, a[i])
			i++
		case x > y:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// termPositions gives the entries (rowid and position list) of one exact
// term, merged over the segments as mergeNewest does; only rowids in keep
// are kept when keep is not nil.
func (fq *ftsQuery) termPositions(t *ftsLookup, keep *bitset, arena *ftsArena) ([]ftsEntry, error) {
	sinks, err := fq.scanTerm(t, true, keep, arena)
	if err != nil {
		return nil, err
	}
	if len(sinks) == 0 {
		return nil, nil
	}
	// As in mergeNewest: segments holding separate ranges of rows are
	// put one after the other, others merged pairwise, newer winning.
	disjoint := true
	var spans []*ftsSink // newest first, as scanned
	for _, k := range sinks {
		if len(k.entries) > 0 {
			spans = append(spans, k)
		}
	}
	order := slices.Clone(spans)
	slices.SortFunc(order, func(a, b *ftsSink) int { return cmp.Compare(a.entries[0].rowid, b.entries[0].rowid) })
	for k := 1; k < len(order); k++ {
		if order[k-1].entries[len(order[k-1].entries)-1].rowid >= order[k].entries[0].rowid {
			disjoint = false
			break
		}
	}
	var acc []ftsEntry
	if disjoint {
		n := 0
		for _, k := range order {
			n += len(k.entries)
		}
		acc = make([]ftsEntry, 0, n)
		for _, k := range order {
			acc = append(acc, k.entries...)
		}
	} else {
		// spans keeps the segments' order (newest first).
		for i, k := range spans {
			if i == 0 {
				acc = k.entries
				continue
			}
			l := k.entries
			out := make([]ftsEntry, 0, len(acc)+len(l))
			x, y := 0, 0
			for x < len(acc) && y < len(l) {
				switch {
				case acc[x].rowid < l[y].rowid:
					out = append(out, acc[x])
					x++
				case acc[x].rowid > l[y].rowid:
					out = append(out, l[y])
					y++
				default:
					out = append(out, acc[x])
					x++
					y++
				}
			}
			out = append(out, acc[x:]...)
			acc = append(out, l[y:]...)
		}
	}
	out := acc[:0]
	for _, e := range acc {
		if e.n > 0 {
			out = append(out, e)
		}
	}
	return out, nil
}

// bitset is a set of non-negative rowids.
type bitset struct {
	w []uint64
	n int // members
}

func newBitset(ids []int32) *bitset {
	var maxID int32
	for _, id := range ids {
		maxID = max(maxID, id)
	}
	b := &bitset{w: make([]uint64, maxID/64+1), n: len(ids)}
	for _, id := range ids {
		b.w[id/64] |= 1 << (id % 64)
	}
	return b
}

func (b *bitset) has(id int32) bool {
	return id >= 0 && int(id/64) < len(b.w) && b.w[id/64]&(1<<(id%64)) != 0
}

// eval computes the rowids matching n, ascending, keeping only those in
// keep when it is set: an AND's later parts (and a NOT's right side) are
// then read only for the rows still in, which spares decoding position
// lists of rows already ruled out.
func (fq *ftsQuery) eval(n *node, keep *bitset) ([]int32, error) {
	switch n.kind {
	case nTerm:
		return fq.termIDs(fq.lookup(porterStem(n.words[0]), n.prefix), keep)
	case nPhrase:
		return fq.phrase(n.words, keep)
	case nAnd:
		// Cheapest first (fewest pages); each later part only for rows
		// still in.
		kids := slices.Clone(n.kids)
		slices.SortStableFunc(kids, func(a, b *node) int { return cmp.Compare(fq.cost(a), fq.cost(b)) })
		var out []int32
		for i, k := range kids {
			ids, err := fq.eval(k, keep)
			if err != nil {
				return nil, err
			}
			if i == 0 {
				out = ids
			} else {
				out = intersectIDs(out, ids)
			}
			if len(out) == 0 {
				return nil, nil
			}
			keep = newBitset(out)
		}
		return out, nil
	case nOr:
		a, err := fq.eval(n.kids[0], keep)
		if err != nil {
			return nil, err
		}
		b, err := fq.eval(n.kids[1], keep)
		if err != nil {
			return nil, err
		}
		return mergePrefer(a, b), nil // live rowids only: a plain union
	case nNot:
		a, err := fq.eval(n.kids[0], keep)
		if err != nil || len(a) == 0 {
			return nil, err
		}
		b, err := fq.eval(n.kids[1], newBitset(a))
		if err != nil {
			return nil, err
		}
		return exceptIDs(a, b), nil
	}
	return nil, errFTSUnsupported
}

// cost estimates the work of evaluating n: pages read for its terms (an
// OR costs both sides, an AND its cheapest part).
func (fq *ftsQuery) cost(n *node) int64 {
	switch n.kind {
	case nTerm:
		return fq.lookup(porterStem(n.words[0]), n.prefix).total()
	case nPhrase:
		c := int64(-1)
		for _, w := range n.words {
			if t := fq.lookup(porterStem(w), false).total(); c < 0 || t < c {
				c = t
			}
		}
		return c
	case nAnd:
		c := int64(-1)
		for _, k := range n.kids {
			if t := fq.cost(k); c < 0 || t < c {
				c = t
			}
		}
		return c
	case nOr:
		return fq.cost(n.kids[0]) + fq.cost(n.kids[1])
	case nNot:
		return fq.cost(n.kids[0])
	}
	return 0
}

// phrase finds rows where the words' terms stand at consecutive
// positions of the same column.
func (fq *ftsQuery) phrase(words []string, keep *bitset) ([]int32, error) {
	// The word with the fewest pages is read first; the other words'
	// position lists are then kept only for its rows.
	rare := 0
	for i, w := range words {
		if fq.lookup(porterStem(w), false).total() < fq.lookup(porterStem(words[rare]), false).total() {
			rare = i
		}
	}
	lists := make([][]ftsEntry, len(words))
	arenas := make([]*ftsArena, len(words))
	for i := range arenas {
		arenas[i] = &ftsArena{}
	}
	var err error
	if lists[rare], err = fq.termPositions(fq.lookup(porterStem(words[rare]), false), keep, arenas[rare]); err != nil || len(lists[rare]) == 0 {
		return nil, err
	}
	ids := make([]int32, len(lists[rare]))
	for i, e := range lists[rare] {
		ids[i] = e.rowid
	}
	keep = newBitset(ids)
	for i, w := range words {
		if i == rare {
			continue
		}
		if lists[i], err = fq.termPositions(fq.lookup(porterStem(w), false), keep, arenas[i]); err != nil {
			return nil, err
		}
		if len(lists[i]) == 0 {
			return nil, nil
		}
	}
	var out []int32
	heads := make([]int, len(words))
	bufs := make([][]uint64, len(words))
outer:
	for heads[0] < len(lists[0]) {
		row := lists[0][heads[0]].rowid
		// Advance the others to row.
		for i := 1; i < len(lists); i++ {
			l := lists[i]
			for heads[i] < len(l) && l[heads[i]].rowid < row {
				heads[i]++
			}
			if heads[i] >= len(l) {
				break outer
			}
			if l[heads[i]].rowid > row {
				// Skip the first list forward.
				for heads[0] < len(lists[0]) && lists[0][heads[0]].rowid < l[heads[i]].rowid {
					heads[0]++
				}
				continue outer
			}
		}
		for i := range lists {
			var good bool
			if bufs[i], good = decodePositions(arenas[i].pos(lists[i][heads[i]]), bufs[i][:0]); !good {
				return nil, errFTSUnsupported
			}
		}
		if phraseAt(bufs) {
			out = append(out, row)
		}
		heads[0]++
	}
	return out, nil
}

// decodePositions reads a position list into (column << 32 | offset)
// values, ascending.
func decodePositions(b []byte, out []uint64) ([]uint64, bool) {
	var col, off uint64
	for i := 0; i < len(b); {
		v, n, ok := ftsVarint(b, i)
		if !ok {
			return nil, false
		}
		i = n
		if v == 1 { // column change
			if col, i, ok = ftsVarint(b, i); !ok {
				return nil, false
			}
			off = 0
			continue
		}
		if v < 2 {
			return nil, false
		}
		off += v - 2
		out = append(out, col<<32|off)
	}
	return out, true
}

// phraseAt: some position p has word i at p+i for every i.
func phraseAt(pos [][]uint64) bool {
	idx := make([]int, len(pos))
	for _, p := range pos[0] {
		all := true
		for i := 1; i < len(pos); i++ {
			wantP := p + uint64(i)
			for idx[i] < len(pos[i]) && pos[i][idx[i]] < wantP {
				idx[i]++
			}
			if idx[i] >= len(pos[i]) {
				return false
			}
			if pos[i][idx[i]] != wantP {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

func intersectIDs(a, b []int32) []int32 {
	var out []int32
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

func exceptIDs(a, b []int32) []int32 {
	out := make([]int32, 0, len(a))
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j < len(b) && b[j] == x {
			continue
		}
		out = append(out, x)
	}
	return out
}

// directMatch computes the nums matching the query tree from the FTS5
// index itself. ok is false when the index cannot be read this way (the
// caller then asks FTS5); err is a store error.
func directMatch(ctx context.Context, q db.Q, token string, n *node) (nums []int32, ok bool, err error) {
	if ftsDirectOff.Load() || q.Dialect() != db.SQLite {
		return nil, false, nil
	}
	fq := &ftsQuery{lookups: map[string]*ftsLookup{}}
	if !fq.collect(n) {
		return nil, false, nil
	}
	// Rows written earlier in this same transaction may still be in
	// FTS5's memory, where MATCH sees them but the tables do not: FTS5
	// writes them out at a savepoint. (Elsewhere this does nothing.)
	if _, err := q.Exec(ctx, "SAVEPOINT rec_search_flush; RELEASE rec_search_flush"); err != nil {
		return nil, false, err
	}
	if err := fq.load(ctx, q, token); err != nil {
		if isFTSFormat(err) {
			return nil, false, nil
		}
		return nil, false, err
	}
	ids, err := fq.eval(n, nil)
	if err != nil {
		if isFTSFormat(err) {
			return nil, false, nil
		}
		return nil, false, err
	}
	ftsDirectReads.Add(1)
	return ids, true, nil
}

func isFTSFormat(err error) bool {
	return errors.Is(err, errFTSUnsupported) || errors.Is(err, errFTSMissing)
}
