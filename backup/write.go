package backup

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"time"

	"vigil/db"
)

// progressEvery is how many rows pass between two progress reports.
const progressEvery = 10000

// Options tunes Write and Restore; the zero value is fine.
type Options struct {
	Progress Progress
}

// Write copies every table of d to w in the backup format, as the store
// stood at one instant; writers may go on meanwhile. w receives a partial
// file if Write fails, so callers writing to a file should write to a
// temporary one and rename it.
func Write(ctx context.Context, d *db.DB, w io.Writer) (Summary, error) {
	return Options{}.Write(ctx, d, w)
}

// Write is the package-level Write with these options.
func (o Options) Write(ctx context.Context, d *db.DB, w io.Writer) (Summary, error) {
	created := time.Now().UTC().Truncate(time.Second)
	s := Summary{Schema: db.SchemaVersion(), Dialect: d.Dialect, Created: created}

	buf := bufio.NewWriterSize(w, 1<<16) // gzip writes in small pieces
	zw := gzip.NewWriter(buf)
	lw := &lineWriter{w: zw, sum: sha256.New()}

	lw.json(header{Format: formatName, Version: formatVersion, Schema: s.Schema,
		Created: created.Format(time.RFC3339), Dialect: string(s.Dialect)})
	var cols []string
	err := dump(ctx, d, visitor{
		table: func(name string, c []string) error {
			cols = c
			s.Tables = append(s.Tables, Table{Name: name, Columns: c})
			lw.json(tableLine{Table: name, Columns: c})
			return lw.err
		},
		row: func(vals []any) error {
			var err error
			if lw.line, err = appendRow(lw.line[:0], vals, cols); err != nil {
				return err
			}
			lw.write(lw.line)
			t := &s.Tables[len(s.Tables)-1]
			t.Rows++
			s.Rows++
			if o.Progress != nil && t.Rows%progressEvery == 0 {
				o.Progress(t.Name, t.Rows, false)
			}
			return lw.err
		},
		done: func(name string, n int64) error {
			if o.Progress != nil {
				o.Progress(name, n, true)
			}
			return nil
		},
	})
	if err != nil {
		return s, err
	}
	s.SHA256 = hex.EncodeToString(lw.sum.Sum(nil))
	// The trailer stays out of the checksum it carries.
	lw.sum = nil
	lw.json(trailer{End: true, Tables: len(s.Tables), Rows: s.Rows, SHA256: s.SHA256})
	if lw.err != nil {
		return s, fmt.Errorf("write backup: %w", lw.err)
	}
	if err := zw.Close(); err != nil {
		return s, fmt.Errorf("write backup: %w", err)
	}
	if err := buf.Flush(); err != nil {
		return s, fmt.Errorf("write backup: %w", err)
	}
	return s, nil
}

// lineWriter writes lines to the compressor and, until sum is cleared, to
// the checksum; it keeps the first error so callers can check once.
type lineWriter struct {
	w    io.Writer
	sum  hash.Hash
	line []byte // reused for row lines
	err  error
}

func (lw *lineWriter) write(p []byte) {
	if lw.err != nil {
		return
	}
	if lw.sum != nil {
		lw.sum.Write(p)
	}
	_, lw.err = lw.w.Write(p)
}

func (lw *lineWriter) json(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		lw.err = err
		return
	}
	lw.write(append(b, '\n'))
}
