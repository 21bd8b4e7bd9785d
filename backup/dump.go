package backup

import (
	"context"
	"fmt"

	"vigil/db"
)

// visitor receives a store's content from dump, table by table.
type visitor struct {
	table func(name string, cols []string) error
	row   func(vals []any) error // vals is reused for the next row
	done  func(name string, rows int64) error
}

// dump walks every table of d, in reference order, inside one snapshot, so
// what the visitor sees is the store at a single instant.
func dump(ctx context.Context, d *db.DB, v visitor) error {
	// Listing tables outside the snapshot is safe: only migrations change
	// the set, and they run before the server starts serving.
	tables, err := d.Tables(ctx)
	if err != nil {
		return fmt.Errorf("list tables: %w", err)
	}
	return d.Snapshot(ctx, func(tx *db.Tx) error {
		for _, t := range tables {
			if err := dumpTable(ctx, d, tx, t, v); err != nil {
				return err
			}
		}
		return nil
	})
}

func dumpTable(ctx context.Context, d *db.DB, tx *db.Tx, table string, v visitor) error {
	hook := hookFor(table)
	cols, err := tx.Columns(ctx, table)
	if err != nil {
		return err
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	if err := v.table(table, names); err != nil {
		return err
	}
	rows, err := tx.ScanTable(ctx, table, cols)
	if err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read %s: %w", table, err)
		}
		if hook != nil {
			if err := hook(ctx, d, names, vals); err != nil {
				return fmt.Errorf("table %s: %w", table, err)
			}
		}
		if err := v.row(vals); err != nil {
			return fmt.Errorf("table %s: %w", table, err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	return v.done(table, n)
}
