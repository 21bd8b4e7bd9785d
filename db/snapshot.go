package db

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// This file holds what a whole-store copy (package backup) needs from the
// store and that differs between the dialects: a consistent read of every
// table, the columns a table stores, a row order that both stores agree on,
// and deferred foreign keys for bulk loading.

// Snapshot runs fn in a read-only transaction that sees every institution's
// rows (System scope) as they stood at one instant, however long fn takes and
// whatever writers commit meanwhile.
//
// On PostgreSQL that is REPEATABLE READ, whose snapshot is taken at the
// transaction's first statement (the scope's set_config). On SQLite the WAL
// gives each read transaction a snapshot, but a deferred BEGIN only takes it
// at the first read of the database, so one is made at once: otherwise a
// writer could commit between BEGIN and fn's first query.
func (d *DB) Snapshot(ctx context.Context, fn func(*Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if d.Dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	return d.run(ctx, d.r, opts, System, func(tx *Tx) error {
		if d.Dialect == SQLite {
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM sqlite_master").Scan(&n); err != nil {
				return fmt.Errorf("start snapshot: %w", err)
			}
		}
		return fn(tx)
	})
}

// Column is one stored column of a table.
type Column struct {
	Name string
	Type string // declared type, upper case ("TEXT", "BIGINT", "BYTEA"...)
	Key  int    // position in the primary key counting from 1; 0 when not in it
}

// Columns lists the columns of table that hold stored values, in table
// order. Generated columns are left out: the store computes them, and an
// INSERT that names one fails.
func (t *Tx) Columns(ctx context.Context, table string) ([]Column, error) {
	var q string
	if t.d == SQLite {
		// table_info already omits generated and hidden columns.
		q = `SELECT name, UPPER(type), pk FROM pragma_table_info(?) ORDER BY cid`
	} else {
		q = `SELECT c.column_name, UPPER(c.data_type), COALESCE(k.ordinal_position, 0)
			FROM information_schema.columns c
			LEFT JOIN information_schema.table_constraints tc
				ON tc.table_schema = c.table_schema AND tc.table_name = c.table_name AND tc.constraint_type = 'PRIMARY KEY'
			LEFT JOIN information_schema.key_column_usage k
				ON k.constraint_schema = tc.constraint_schema AND k.constraint_name = tc.constraint_name
				AND k.table_name = c.table_name AND k.column_name = c.column_name
			WHERE c.table_schema = current_schema() AND c.table_name = ? AND c.is_generated = 'NEVER'
			ORDER BY c.ordinal_position`
	}
	rows, err := t.Query(ctx, q, table)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	defer rows.Close()
	var cols []Column
	for rows.Next() {
		var c Column
		if err := rows.Scan(&c.Name, &c.Type, &c.Key); err != nil {
			return nil, fmt.Errorf("columns of %s: %w", table, err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("columns of %s: no such table", table)
	}
	return cols, nil
}

// ScanTable returns every row of table with the given columns, ordered by
// the primary key (by every column when there is none). Text sorts by its
// bytes on both stores — SQLite's BINARY, PostgreSQL's "C" — so the same
// content comes out in the same order whichever store holds it and whatever
// collation a PostgreSQL database was created with.
func (t *Tx) ScanTable(ctx context.Context, table string, cols []Column) (*sql.Rows, error) {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = Ident(c.Name)
	}
	keys := make([]Column, 0, len(cols))
	for _, c := range cols {
		if c.Key > 0 {
			keys = append(keys, c)
		}
	}
	if len(keys) == 0 {
		keys = cols
	} else {
		slices.SortFunc(keys, func(a, b Column) int { return cmp.Compare(a.Key, b.Key) })
	}
	order := make([]string, len(keys))
	for i, c := range keys {
		order[i] = Ident(c.Name) + t.byteCollation(c)
	}
	q := "SELECT " + strings.Join(names, ", ") + " FROM " + Ident(table) + " ORDER BY " + strings.Join(order, ", ")
	return t.Query(ctx, q)
}

func (t *Tx) byteCollation(c Column) string {
	if t.d == SQLite {
		// Valid on any type in SQLite; it only changes how text compares.
		return " COLLATE BINARY"
	}
	switch c.Type {
	case "TEXT", "CHARACTER VARYING", "CHARACTER":
		return ` COLLATE "C"`
	}
	return ""
}

// DeferForeignKeys postpones foreign key checks to the commit of the
// transaction, so a bulk load may insert a row before the row it refers to.
// On PostgreSQL this reaches only constraints declared DEFERRABLE; loading
// tables in Tables order is what keeps the others satisfied.
func (t *Tx) DeferForeignKeys(ctx context.Context) error {
	q := "SET CONSTRAINTS ALL DEFERRED"
	if t.d == SQLite {
		q = "PRAGMA defer_foreign_keys = ON"
	}
	_, err := t.Exec(ctx, q)
	return err
}

// Ident quotes a table or column name for SQL; both dialects use double
// quotes, doubled inside.
func Ident(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
