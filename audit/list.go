package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"vigil/db"
)

// Filter narrows List. Empty strings and zero times match everything.
type Filter struct {
	Action     string
	ObjectType string
	ObjectID   string
	ActorID    string
	From       time.Time // inclusive
	To         time.Time // exclusive
	Limit      int       // 0 means DefaultLimit; capped at MaxLimit
	Offset     int
}

// Page sizes for List.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Row is an entry as stored, with its place in the chain.
type Row struct {
	Entry
	Seq      int64
	PrevHash string
	Hash     string
}

// List returns institution's entries that match f, newest (highest seq)
// first. It filters on institution itself rather than trusting the
// transaction's scope, so a System-scoped q cannot leak another chain.
func List(ctx context.Context, q db.Q, institution string, f Filter) ([]Row, error) {
	where := []string{"institution_id = ?"}
	args := []any{institution}
	for _, c := range []struct{ col, val string }{
		{"action", f.Action}, {"object_type", f.ObjectType}, {"object_id", f.ObjectID}, {"actor_id", f.ActorID},
	} {
		if c.val != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.val)
		}
	}
	// at is fixed-width RFC 3339 text (timeLayout), so text order is time order.
	if !f.From.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, f.From.UTC().Format(timeLayout))
	}
	if !f.To.IsZero() {
		where = append(where, "at < ?")
		args = append(args, f.To.UTC().Format(timeLayout))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	args = append(args, limit, max(f.Offset, 0))
	rows, err := q.Query(ctx, `SELECT seq, at, actor_id, actor_name, ip, action, object_type, object_id, detail, prev_hash, hash
		FROM audit_log WHERE `+strings.Join(where, " AND ")+` ORDER BY seq DESC LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: list %s: %w", institution, err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		r := Row{Entry: Entry{Institution: institution}}
		var at string
		if err := rows.Scan(&r.Seq, &at, &r.ActorID, &r.ActorName, &r.IP, &r.Action, &r.ObjectType, &r.ObjectID,
			&r.Detail, &r.PrevHash, &r.Hash); err != nil {
			return nil, err
		}
		if r.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return nil, fmt.Errorf("audit: %s seq %d: bad time %q", institution, r.Seq, at)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
