package incident

import (
	"context"

	"vigil/db"
)

// The SQLite full-text index of own records (events_fts, migration 0012) is
// kept by this package rather than by triggers, which would cost every
// imported row a trigger call. PostgreSQL's index is an expression index
// and keeps itself.

// eventTextSQL is the indexed text of an event, as SQL over events' columns.
const eventTextSQL = `title || ' ' || description || ' ' || place || ' ' || region || ' ' || admin2 || ' ' || side_a || ' ' || side_b`

// indexEventText puts an own event's words in the full-text index (again,
// after an edit). Imported events stay out of it.
func indexEventText(ctx context.Context, q db.Q, inst, id string) error {
	if q.Dialect() != db.SQLite {
		return nil
	}
	if _, err := q.Exec(ctx, "DELETE FROM events_fts WHERE event_id = ?", id); err != nil {
		return err
	}
	_, err := q.Exec(ctx, "INSERT INTO events_fts(event_id, body) SELECT id, "+eventTextSQL+
		" FROM events WHERE institution_id = ? AND id = ? AND origin = 'manual'", inst, id)
	return err
}

// searchIndexInStep reports whether the full-text index can be trusted:
// the package keeps it in step in the same transaction as every write, so
// the only way it falls behind is a store restored from a backup, which
// copies the events and leaves the index empty. It is one index for all
// institutions, like any index of a shared table. The check is cheap when
// the index has rows; when it is empty it looks for one own event.
func searchIndexInStep(ctx context.Context, tx *db.Tx) (bool, error) {
	var indexed, own int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM events_fts LIMIT 1)").Scan(&indexed); err != nil {
		return false, err
	}
	if indexed > 0 {
		return true, nil
	}
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE origin = 'manual' LIMIT 1)").Scan(&own); err != nil {
		return false, err
	}
	return own == 0, nil
}

// rebuildSearchIndex fills the full-text index afresh from the events.
func rebuildSearchIndex(ctx context.Context, tx *db.Tx) error {
	if _, err := tx.Exec(ctx, "DELETE FROM events_fts"); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "INSERT INTO events_fts(event_id, body) SELECT id, "+eventTextSQL+" FROM events WHERE origin = 'manual'")
	return err
}
