package incident

import "vigil/db"

// The events' date index, events_date, and the conditions that reach it.
//
// On PostgreSQL it is (institution_id, date_start), as migration 0008 made
// it. On SQLite migration 0018 made it one key, institution_id ||
// date_start: the same order, but a key of one field, which SQLite's sorter
// compares in one memcmp. With two fields, every comparison of a bulk
// load's index build found the first one (the institution) equal and
// decoded both records to compare the date, so building the index after a
// 1,000,000-row import took some 3.5 s of CPU; with one field some 2.4 s
// (docs/incident.md, Measured).
//
// A query that reads an institution's events by institution, or by
// institution and start date, takes its condition from instDateRange and
// orders by eventDateKey, so that the index of either dialect serves it and
// a small institution's list never reads another institution's rows.

// eventDateKey is what the events' date index orders by, as an expression
// for ORDER BY: on SQLite the institution and the start date in one key (the
// same order within one institution), on PostgreSQL the start date after the
// institution column.
func eventDateKey(d db.Dialect) string {
	if d == db.SQLite {
		return "(institution_id || date_start)"
	}
	return "date_start"
}

// instDateRange is the WHERE condition and arguments that keep inst's events
// whose start date lies between from and to (inclusive, each "" for open),
// as a range of the date index. institution_id = ? stays in the condition:
// the range alone would also hold an institution whose id began with inst's.
func instDateRange(d db.Dialect, inst, from, to string) (string, []any) {
	if d != db.SQLite {
		cond, args := "institution_id = ?", []any{inst}
		if from != "" {
			cond, args = cond+" AND date_start >= ?", append(args, from)
		}
		if to != "" {
			cond, args = cond+" AND date_start <= ?", append(args, to)
		}
		return cond, args
	}
	// Every start date begins with a digit, and ':' sorts after '9'.
	hi := inst + ":"
	if to != "" {
		hi = inst + to
	}
	return "institution_id = ? AND (institution_id || date_start) >= ? AND (institution_id || date_start) <= ?",
		[]any{inst, inst + from, hi}
}
