package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"vigil/db"
)

// Restore loads a backup from r into d, which must be migrated and empty.
// Nothing is written unless the whole file checks out and fits the store;
// then every row goes in within one transaction. r is read twice: a file
// (or anything else that seeks) in place, other readers through a
// temporary file.
func Restore(ctx context.Context, d *db.DB, r io.Reader) (Summary, error) {
	return Options{}.Restore(ctx, d, r)
}

// Restore is the package-level Restore with these options.
func (o Options) Restore(ctx context.Context, d *db.DB, r io.Reader) (Summary, error) {
	rs, start, cleanup, err := rewindable(r)
	if err != nil {
		return Summary{}, err
	}
	defer cleanup()

	s, err := Verify(rs)
	if err != nil {
		return s, err
	}
	tables, err := d.Tables(ctx)
	if err != nil {
		return s, fmt.Errorf("list tables: %w", err)
	}
	if err := d.Read(ctx, db.System, func(tx *db.Tx) error {
		if err := fits(ctx, tx, tables, s); err != nil {
			return err
		}
		return checkEmpty(ctx, tx, tables)
	}); err != nil {
		return s, err
	}

	if _, err := rs.Seek(start, io.SeekStart); err != nil {
		return s, fmt.Errorf("read backup again: %w", err)
	}
	err = d.Write(ctx, db.System, func(tx *db.Tx) error {
		// Checked again inside the transaction: a server may have been
		// started on the store since the check above.
		if err := checkEmpty(ctx, tx, tables); err != nil {
			return err
		}
		if err := tx.DeferForeignKeys(ctx); err != nil {
			return err
		}
		s2, err := parse(rs, &loader{ctx: ctx, tx: tx, progress: o.Progress})
		if err != nil {
			return err
		}
		if s2.SHA256 != s.SHA256 {
			return fmt.Errorf("%w: the file changed while it was being restored", ErrDamaged)
		}
		return nil
	})
	return s, err
}

// rewindable returns r as a seeker and the offset to come back to, copying
// it to a temporary file when it cannot seek (a pipe, standard input).
func rewindable(r io.Reader) (io.ReadSeeker, int64, func(), error) {
	if rs, ok := r.(io.ReadSeeker); ok {
		// *os.File is a ReadSeeker even for a pipe; only trying tells.
		if start, err := rs.Seek(0, io.SeekCurrent); err == nil {
			return rs, start, func() {}, nil
		}
	}
	f, err := os.CreateTemp("", "vigil-restore-*")
	if err != nil {
		return nil, 0, nil, fmt.Errorf("temporary copy of backup: %w", err)
	}
	cleanup := func() {
		f.Close()
		os.Remove(f.Name())
	}
	if _, err := io.Copy(f, r); err != nil {
		cleanup()
		return nil, 0, nil, fmt.Errorf("temporary copy of backup: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		cleanup()
		return nil, 0, nil, err
	}
	return f, 0, cleanup, nil
}

// fits checks that the store has every table and column the backup holds.
// Tables or columns the store has beyond those are fine: they come from
// later migrations and stay empty or take their defaults.
func fits(ctx context.Context, tx *db.Tx, tables []string, s Summary) error {
	have := map[string]bool{}
	for _, t := range tables {
		have[t] = true
	}
	for _, t := range s.Tables {
		if !have[t.Name] {
			return fmt.Errorf("%w: it holds table %s, which this store does not have", ErrMismatch, t.Name)
		}
		cols, err := tx.Columns(ctx, t.Name)
		if err != nil {
			return err
		}
		haveCol := map[string]bool{}
		for _, c := range cols {
			haveCol[c.Name] = true
		}
		for _, c := range t.Columns {
			if !haveCol[c] {
				return fmt.Errorf("%w: it holds column %s.%s, which this store does not have", ErrMismatch, t.Name, c)
			}
		}
	}
	return nil
}

func checkEmpty(ctx context.Context, tx *db.Tx, tables []string) error {
	for _, t := range tables {
		var one int
		err := tx.QueryRow(ctx, "SELECT 1 FROM "+db.Ident(t)+" LIMIT 1").Scan(&one)
		if err == nil {
			return fmt.Errorf("%w: table %s has rows; restore only into a new, empty store", ErrNotEmpty, t)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("check that %s is empty: %w", t, err)
		}
	}
	return nil
}

// loader inserts a backup's rows, several to a statement: one round trip
// per row would make a PostgreSQL restore of a large store crawl.
type loader struct {
	ctx      context.Context
	tx       *db.Tx
	progress Progress

	name    string
	cols    int
	head    string // INSERT INTO t (cols) VALUES
	one     string // (?, ?, ?)
	full    string // statement for a whole batch, built once per table
	perStmt int
	args    []any
	pending int
	rows    int64
}

// maxParams stays well below both stores' limits on bound parameters
// (32766 for SQLite, 65535 for PostgreSQL).
const maxParams = 8000

func (l *loader) table(name string, cols []string) error {
	if err := l.finishTable(); err != nil {
		return err
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = db.Ident(c)
	}
	*l = loader{ctx: l.ctx, tx: l.tx, progress: l.progress, name: name, cols: len(cols), args: l.args[:0]}
	l.head = "INSERT INTO " + db.Ident(name) + " (" + strings.Join(quoted, ", ") + ") VALUES "
	l.one = "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	l.perStmt = max(1, min(500, maxParams/len(cols)))
	l.full = l.statement(l.perStmt)
	return nil
}

func (l *loader) statement(rows int) string {
	return l.head + strings.TrimSuffix(strings.Repeat(l.one+", ", rows), ", ")
}

func (l *loader) row(vals []any) error {
	l.args = append(l.args, vals...)
	l.pending++
	l.rows++
	if l.pending == l.perStmt {
		if err := l.flush(); err != nil {
			return err
		}
	}
	if l.progress != nil && l.rows%progressEvery == 0 {
		l.progress(l.name, l.rows, false)
	}
	return nil
}

func (l *loader) flush() error {
	if l.pending == 0 {
		return nil
	}
	q := l.full
	if l.pending != l.perStmt {
		q = l.statement(l.pending)
	}
	if _, err := l.tx.Exec(l.ctx, q, l.args...); err != nil {
		return fmt.Errorf("restore %s: %w", l.name, err)
	}
	l.args, l.pending = l.args[:0], 0
	return nil
}

func (l *loader) finishTable() error {
	if l.name == "" {
		return nil
	}
	if err := l.flush(); err != nil {
		return err
	}
	if l.progress != nil {
		l.progress(l.name, l.rows, true)
	}
	return nil
}

func (l *loader) end() error { return l.finishTable() }
