package incident

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"io"
)

// csvReader reads CSV (RFC 4180) exactly as encoding/csv's Reader does with
// FieldsPerRecord = -1 and its other defaults: the same records, the same
// *csv.ParseError (line, column, kind) for a malformed one, and the same
// place to go on from after it (the fuzz test compares the two). It is the
// import's reader because it costs a third of encoding/csv's CPU on event
// files (docs/incident.md, Measured): it scans an unquoted field once, byte
// by byte, rather than searching it for the comma and then for a quote, and
// it hands the fields out as byte slices of its own buffer instead of
// making a string of every record, which the importer would copy again.
//
// The fields Read returns are valid until the next Read.
type csvReader struct {
	src      io.Reader
	buf      []byte // buf[pos:end] is read and not yet consumed
	pos, end int
	srcErr   error // what src returned after its last data (io.EOF at the end)
	numLine  int
	rec      []byte // fields that had to be unquoted or ran over lines
	saved    []byte // fields copied before the next line of the record is read
	fields   [][]byte
}

func newCSVReader(src io.Reader, size int) *csvReader {
	return &csvReader{src: src, buf: make([]byte, size)}
}

// csvPos is a place in the input, for errors (encoding/csv's position).
type csvPos struct{ line, col int }

// fill reads more of src into buf, moving what is left to its start and
// growing it when a line fills it.
func (r *csvReader) fill() {
	if r.pos > 0 {
		r.end = copy(r.buf, r.buf[r.pos:r.end])
		r.pos = 0
	}
	if r.end == len(r.buf) {
		r.buf = append(r.buf, make([]byte, len(r.buf))...)
	}
	for tries := 0; tries < 100; tries++ {
		n, err := r.src.Read(r.buf[r.end:])
		r.end += n
		if err != nil {
			r.srcErr = err
			return
		}
		if n > 0 {
			return
		}
	}
	r.srcErr = io.ErrNoProgress
}

// readLine is encoding/csv's readLine: the next line with its "\n" ("\r\n"
// made "\n"; a last line without one keeps none and loses a final "\r").
func (r *csvReader) readLine() ([]byte, error) {
	var line []byte
	var err error
	for {
		if i := bytes.IndexByte(r.buf[r.pos:r.end], '\n'); i >= 0 {
			line = r.buf[r.pos : r.pos+i+1]
			r.pos += i + 1
			break
		}
		if r.srcErr != nil {
			line, err = r.buf[r.pos:r.end], r.srcErr
			r.pos = r.end
			if err != io.EOF {
				r.srcErr = nil // as bufio does: the error once, then read again
			}
			break
		}
		r.fill()
	}
	if n := len(line); n > 0 && err == io.EOF {
		err = nil
		if line[n-1] == '\r' {
			line = line[:n-1]
		}
	}
	r.numLine++
	if n := len(line); n >= 2 && line[n-2] == '\r' && line[n-1] == '\n' {
		line[n-2] = '\n'
		line = line[:n-1]
	}
	return line, err
}

func lengthNL(b []byte) int {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return 1
	}
	return 0
}

// Read returns the next record's fields, or io.EOF after the last. With
// a *csv.ParseError it returns what it read of the record, as
// encoding/csv does, and the next Read goes on after the lines it used.
// The steps below are encoding/csv's readRecord's, in the same order.
//
// A field is a slice of the line it was read from, unless it had to be
// unquoted ("" in it) or ran over several lines: then it is made in rec.
// Before a field's next line is read (which may overwrite the buffer),
// the fields read so far are copied to saved.
func (r *csvReader) Read() ([][]byte, error) {
	var line []byte
	var errRead error
	for errRead == nil {
		line, errRead = r.readLine()
		if errRead == nil && len(line) == lengthNL(line) {
			line = nil
			continue // empty lines are skipped
		}
		break
	}
	if errRead == io.EOF {
		return nil, errRead
	}
	var err error
	recLine := r.numLine
	r.rec, r.saved, r.fields = r.rec[:0], r.saved[:0], r.fields[:0]
	pos := csvPos{line: r.numLine, col: 1}
parseField:
	for {
		if len(line) == 0 || line[0] != '"' {
			// Unquoted: up to the next comma or the end of the line, and
			// no quote in it.
			i := commaOrQuote(line)
			if i < len(line) && line[i] == '"' {
				err = &csv.ParseError{StartLine: recLine, Line: r.numLine, Column: pos.col + i, Err: csv.ErrBareQuote}
				break parseField
			}
			if i == len(line) {
				r.fields = append(r.fields, line[:i-lengthNL(line)])
				break parseField
			}
			r.fields = append(r.fields, line[:i])
			line = line[i+1:]
			pos.col += i + 1
			continue parseField
		}
		// Quoted: up to a quote followed by a comma or the end of the
		// line, "" standing for a quote; it may run over several lines.
		line = line[1:]
		pos.col++
		inRec, start := false, 0 // whether the field is being made in rec, from start
		for {
			i := bytes.IndexByte(line, '"')
			switch {
			case i >= 0:
				text := line[:i]
				line = line[i+1:]
				pos.col += i + 1
				var end bool
				switch {
				case len(line) > 0 && line[0] == '"':
					if !inRec {
						inRec, start = true, len(r.rec)
					}
					r.rec = append(append(r.rec, text...), '"')
					line = line[1:]
					pos.col++
					continue
				case len(line) > 0 && line[0] == ',':
					line = line[1:]
					pos.col++
				case lengthNL(line) == len(line):
					end = true
				default:
					err = &csv.ParseError{StartLine: recLine, Line: r.numLine, Column: pos.col - 1, Err: csv.ErrQuote}
					break parseField
				}
				if inRec {
					r.rec = append(r.rec, text...)
					text = r.rec[start:]
				}
				r.fields = append(r.fields, text)
				if end {
					break parseField
				}
				continue parseField
			case len(line) > 0:
				// The field goes on on the next line.
				if !inRec {
					inRec, start = true, len(r.rec)
				}
				r.rec = append(r.rec, line...)
				if errRead != nil {
					break parseField
				}
				r.saveFields()
				pos.col += len(line)
				line, errRead = r.readLine()
				if len(line) > 0 {
					pos.line++
					pos.col = 1
				}
				if errRead == io.EOF {
					errRead = nil
				}
			default:
				// The input ended inside the quotes.
				if errRead == nil {
					err = &csv.ParseError{StartLine: recLine, Line: pos.line, Column: pos.col, Err: csv.ErrQuote}
					break parseField
				}
				if !inRec {
					start = len(r.rec)
				}
				r.fields = append(r.fields, r.rec[start:])
				break parseField
			}
		}
	}
	if err == nil {
		err = errRead
	}
	return r.fields, err
}

// saveFields copies the fields read so far out of the buffer the next line
// will be read into.
func (r *csvReader) saveFields() {
	for i, f := range r.fields {
		n := len(r.saved)
		r.saved = append(r.saved, f...)
		r.fields[i] = r.saved[n:len(r.saved):len(r.saved)]
	}
}

// commaOrQuote is the index of the first ',' or '"' in b, or len(b). It
// looks at eight bytes at a time: a byte of w equal to c makes a zero byte
// of w^c, and (x-lo)&^x&hi has a bit set when x has a zero byte.
func commaOrQuote(b []byte) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		c, q := w^(lo*','), w^(lo*'"')
		if ((c-lo)&^c|(q-lo)&^q)&hi != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if b[i] == ',' || b[i] == '"' {
			return i
		}
	}
	return len(b)
}
