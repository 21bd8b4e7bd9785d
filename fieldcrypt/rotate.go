package fieldcrypt

import (
	"context"
	"fmt"

	"vigil/db"
)

// RotateResult counts what Rotate did to one column.
type RotateResult struct {
	Column    Column
	Rotated   int      // re-encrypted from an older key to the active one
	Encrypted int      // plaintext left from before encryption, now encrypted
	Conflicts int      // rows changed by someone else between read and update; retried
	Failed    int      // values that would not decrypt; left untouched
	FailedIDs []string // the first few of those record ids, to look into
	FailedWhy error    // why the first of them failed (never holds a value)
	Current   int      // non-empty values under the active key after the run
	Remaining int      // non-empty values still not under it after the run
}

// Done reports whether every value of the column is now under the active key.
func (r RotateResult) Done() bool { return r.Remaining == 0 }

var (
	// rotateBatch rows are read, re-encrypted and written per transaction:
	// small enough that a running server never waits long for the write
	// lock, large enough that transaction overhead does not dominate.
	rotateBatch = 500
	// testHookBeforeWrite runs between reading a batch and writing it back,
	// so tests can play the concurrent server.
	testHookBeforeWrite func()
)

const (
	// Passes repeat only while rows were changed under us; a server still
	// writing with an old ring would otherwise keep us busy for ever.
	maxPasses    = 5
	maxFailedIDs = 20
)

// Rotate re-encrypts, under the ring's active key, every non-empty value of
// every registered column that is not under it yet (including plaintext left
// from before the column was encrypted). It runs beside live servers: each
// batch is read in one transaction and written in another, and every row
// update is conditional on the value and institution read, so an edit a
// server makes in between is never overwritten; such rows are picked up by
// another pass. The servers must hold every key of the ring, old and new.
//
// progress, if not nil, is called after each batch with the number of rows
// handled so far. A second run finds nothing to do.
func Rotate(ctx context.Context, d *db.DB, kr *Keyring, progress func(done int)) ([]RotateResult, error) {
	if kr == nil {
		return nil, errNoRing
	}
	var out []RotateResult
	done := 0
	for _, c := range Columns() {
		r := RotateResult{Column: c}
		failed := map[string]bool{}
		for pass := 0; pass < maxPasses; pass++ {
			before := r.Conflicts
			if err := rotatePass(ctx, d, kr, c, &r, failed, &done, progress); err != nil {
				return out, fmt.Errorf("rotate %s: %w", c, err)
			}
			if r.Conflicts == before {
				break
			}
		}
		if err := countColumn(ctx, d, kr, c, &r); err != nil {
			return out, fmt.Errorf("rotate %s: %w", c, err)
		}
		out = append(out, r)
	}
	return out, nil
}

type pending struct {
	id, inst, old, new string
	wasPlain           bool
}

func rotatePass(ctx context.Context, d *db.DB, kr *Keyring, c Column, r *RotateResult, failed map[string]bool, done *int, progress func(int)) error {
	current := prefix + kr.Active() + ":"
	sel := fmt.Sprintf(`SELECT %[1]s, %[2]s, %[3]s FROM %[4]s
		WHERE %[3]s <> '' AND substr(%[3]s, 1, ?) <> ? AND %[1]s > ?
		ORDER BY %[1]s LIMIT ?`, c.IDColumn, c.InstitutionColumn, c.Column, c.Table)
	upd := fmt.Sprintf(`UPDATE %s SET %s = ? WHERE %s = ? AND %s = ? AND %s = ?`,
		c.Table, c.Column, c.IDColumn, c.InstitutionColumn, c.Column)
	after := ""
	for {
		var batch []pending
		err := d.Read(ctx, db.System, func(tx *db.Tx) error {
			rows, err := tx.Query(ctx, sel, len(current), current, after, rotateBatch)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var p pending
				if err := rows.Scan(&p.id, &p.inst, &p.old); err != nil {
					return err
				}
				batch = append(batch, p)
			}
			return rows.Err()
		})
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		after = batch[len(batch)-1].id

		todo := batch[:0]
		for _, p := range batch {
			plain := p.old
			if IsEncrypted(p.old) {
				plain, err = kr.Decrypt(p.inst, c.Table, p.id, c.Field, p.old)
				if err != nil {
					if !failed[p.id] {
						failed[p.id] = true
						r.Failed++
						if len(r.FailedIDs) < maxFailedIDs {
							r.FailedIDs = append(r.FailedIDs, p.id)
						}
						if r.FailedWhy == nil {
							r.FailedWhy = err
						}
					}
					continue
				}
			} else {
				p.wasPlain = true
			}
			if p.new, err = kr.Encrypt(p.inst, c.Table, p.id, c.Field, plain); err != nil {
				return err
			}
			todo = append(todo, p)
		}

		if testHookBeforeWrite != nil {
			testHookBeforeWrite()
		}
		var rotated, encrypted, conflicts int
		err = d.Write(ctx, db.System, func(tx *db.Tx) error {
			rotated, encrypted, conflicts = 0, 0, 0
			for _, p := range todo {
				res, err := tx.Exec(ctx, upd, p.new, p.id, p.inst, p.old)
				if err != nil {
					return err
				}
				n, err := res.RowsAffected()
				if err != nil {
					return err
				}
				switch {
				case n == 0:
					conflicts++
				case p.wasPlain:
					encrypted++
				default:
					rotated++
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		r.Rotated += rotated
		r.Encrypted += encrypted
		r.Conflicts += conflicts
		*done += len(batch)
		if progress != nil {
			progress(*done)
		}
		if len(batch) < rotateBatch {
			return nil
		}
	}
}

// countColumn fills in Current and Remaining, which is how an operator knows
// whether an old key may go.
func countColumn(ctx context.Context, d *db.DB, kr *Keyring, c Column, r *RotateResult) error {
	current := prefix + kr.Active() + ":"
	q := fmt.Sprintf(`SELECT
		COALESCE(SUM(CASE WHEN substr(%[1]s, 1, ?) = ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN substr(%[1]s, 1, ?) = ? THEN 0 ELSE 1 END), 0)
		FROM %[2]s WHERE %[1]s <> ''`, c.Column, c.Table)
	return d.Read(ctx, db.System, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, q, len(current), current, len(current), current).Scan(&r.Current, &r.Remaining)
	})
}
