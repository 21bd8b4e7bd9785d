package backup

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"vigil/db"
)

const (
	// A header is a few dozen bytes; anything longer before the first
	// newline is some other file, and is not worth reading into memory.
	maxHeaderLine = 4 << 10
	// Rows hold text and small blobs; the cap only stops a damaged file from
	// making one line of the whole stream.
	maxLine = 256 << 20
)

// sink receives a backup's content while it is read; Restore's loader is
// one. Its errors are returned as they are, not as file damage.
type sink interface {
	table(name string, cols []string) error
	row(vals []any) error
	end() error
}

// Verify reads a whole backup from r and checks, without touching a store,
// that it is intact — gzip integrity, header, every line, the trailer's
// counts and checksum — and not of a newer schema than this binary knows.
func Verify(r io.Reader) (Summary, error) {
	s, err := parse(r, nil)
	if err == nil && s.Schema > db.SchemaVersion() {
		err = fmt.Errorf("%w: it was made at schema %d and this vigil knows schema %d; restore it with a newer vigil",
			ErrTooNew, s.Schema, db.SchemaVersion())
	}
	return s, err
}

// parse reads a backup, handing its content to out when out is not nil. It
// returns without error only when the file was complete and its checksum
// matched; out has then seen every table and row and its end.
func parse(r io.Reader, out sink) (Summary, error) {
	var s Summary
	// gzip reads through src as given, so what follows its stream can be
	// looked at afterwards.
	src := bufio.NewReader(r)
	zr, err := gzip.NewReader(src)
	if err != nil {
		switch {
		case errors.Is(err, io.EOF):
			return s, fmt.Errorf("%w: the file is empty", ErrNotBackup)
		case errors.Is(err, gzip.ErrHeader):
			return s, fmt.Errorf("%w: it is not gzip-compressed", ErrNotBackup)
		}
		return s, streamError(err)
	}
	// One gzip stream: a second one appended would otherwise be read as
	// more of the backup.
	zr.Multistream(false)
	p := &parser{src: src, br: bufio.NewReaderSize(zr, 1<<16), sum: sha256.New()}

	line, err := p.next(maxHeaderLine)
	if err != nil {
		if errors.Is(err, errLongLine) || p.eof {
			return s, fmt.Errorf("%w: it does not start with a Vigil backup header", ErrNotBackup)
		}
		return s, err
	}
	var h header
	if json.Unmarshal(line, &h) != nil || h.Format != formatName {
		return s, fmt.Errorf("%w: it does not start with a Vigil backup header", ErrNotBackup)
	}
	if h.Version != formatVersion {
		return s, fmt.Errorf("%w: it is in format version %d and this vigil reads version %d", ErrTooNew, h.Version, formatVersion)
	}
	s.Schema, s.Dialect = h.Schema, db.Dialect(h.Dialect)
	s.Created, _ = time.Parse(time.RFC3339, h.Created)
	p.sum.Write(line)

	seen := map[string]bool{}
	var cur *Table
	for {
		line, err := p.next(maxLine)
		if err != nil {
			return s, err
		}
		switch {
		case line[0] == '[':
			if cur == nil {
				return s, p.damaged("a row before any table")
			}
			vals, err := decodeRow(line, len(cur.Columns))
			if err != nil {
				return s, p.damaged("table %s: %v", cur.Name, err)
			}
			cur.Rows++
			s.Rows++
			if out != nil {
				if err := out.row(vals); err != nil {
					return s, err
				}
			}
		case line[0] == '{':
			var l struct {
				tableLine
				trailer
			}
			if err := json.Unmarshal(line, &l); err != nil {
				return s, p.damaged("%v", err)
			}
			if l.End {
				return s, p.finish(&s, l.trailer, out)
			}
			if err := checkTable(l.tableLine, seen); err != nil {
				return s, p.damaged("%v", err)
			}
			s.Tables = append(s.Tables, Table{Name: l.Table, Columns: l.Columns})
			cur = &s.Tables[len(s.Tables)-1]
			if out != nil {
				if err := out.table(l.Table, l.Columns); err != nil {
					return s, err
				}
			}
		default:
			return s, p.damaged("not a table, row or end line")
		}
		// Only lines before the trailer count toward the checksum.
		p.sum.Write(line)
	}
}

func checkTable(t tableLine, seen map[string]bool) error {
	if t.Table == "" || len(t.Columns) == 0 {
		return errors.New("a table line without a name or columns")
	}
	if seen[t.Table] {
		return fmt.Errorf("table %s appears twice", t.Table)
	}
	seen[t.Table] = true
	cols := map[string]bool{}
	for _, c := range t.Columns {
		if c == "" || cols[c] {
			return fmt.Errorf("table %s: empty or repeated column name %q", t.Table, c)
		}
		cols[c] = true
	}
	return nil
}

type parser struct {
	src  *bufio.Reader // the compressed file
	br   *bufio.Reader // the uncompressed lines
	eof  bool          // the uncompressed stream ended cleanly
	sum  hash.Hash
	buf  []byte
	line int // number of the last line read, for messages
}

var errLongLine = errors.New("line too long")

// next returns the next line, newline included. A stream that ends, or
// ends mid-line, before the trailer is truncated.
func (p *parser) next(limit int) ([]byte, error) {
	p.line++
	p.buf = p.buf[:0]
	for {
		chunk, err := p.br.ReadSlice('\n')
		p.buf = append(p.buf, chunk...)
		if len(p.buf) > limit {
			return nil, fmt.Errorf("%w: line %d: %w", ErrDamaged, p.line, errLongLine)
		}
		switch {
		case err == nil:
			return p.buf, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			p.eof = true
			return nil, fmt.Errorf("%w: it ends at line %d, before its closing checksum line", ErrTruncated, p.line)
		default:
			return nil, streamError(err)
		}
	}
}

// finish checks the trailer against what was read and that nothing follows
// it; reading to the end also makes gzip check its own CRC.
func (p *parser) finish(s *Summary, t trailer, out sink) error {
	got := hex.EncodeToString(p.sum.Sum(nil))
	switch {
	case t.Tables != len(s.Tables) || t.Rows != s.Rows:
		return p.damaged("the end line counts %d tables and %d rows, the file holds %d and %d", t.Tables, t.Rows, len(s.Tables), s.Rows)
	case t.SHA256 != got:
		return fmt.Errorf("%w: its checksum does not match its content", ErrDamaged)
	}
	if n, err := p.br.Read(make([]byte, 1)); n > 0 {
		return p.damaged("data after the end line")
	} else if err != nil && !errors.Is(err, io.EOF) {
		return streamError(err)
	}
	if _, err := p.src.Peek(1); err == nil {
		return fmt.Errorf("%w: data follows its compressed stream", ErrDamaged)
	} else if !errors.Is(err, io.EOF) {
		return fmt.Errorf("read backup: %w", err)
	}
	s.SHA256 = got
	if out != nil {
		return out.end()
	}
	return nil
}

func (p *parser) damaged(format string, a ...any) error {
	return fmt.Errorf("%w: line %d: %s", ErrDamaged, p.line, fmt.Sprintf(format, a...))
}

// streamError names a failure of the gzip layer by what it means for the
// file; anything else (a failing disk) passes through.
func streamError(err error) error {
	var corrupt flate.CorruptInputError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: the compressed data ends early", ErrTruncated)
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader), errors.As(err, &corrupt):
		return fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	return fmt.Errorf("read backup: %w", err)
}
