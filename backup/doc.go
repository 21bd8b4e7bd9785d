// Package backup copies a whole Vigil store to one portable file and loads
// such a file into an empty store, of either kind: it is both the backup of a
// running server and the way an institution moves from SQLite to PostgreSQL.
// What belongs here is the file format and the two passes over a store
// (Write, Restore) plus helpers that check a file or compare stores; the
// dialect-specific pieces (snapshot transaction, column lists, row order)
// live in package db, and the command line in cmd/vigil.
//
// # Format, version 1
//
// A file is one gzip stream of UTF-8 JSON lines, each ending in "\n":
//
//	{"format":"vigil-backup","version":1,"schema":1,"created":"2026-05-01T10:00:00Z","dialect":"sqlite"}
//	{"table":"institutions","columns":["id","name","country_code","created_at"]}
//	["inst-1","Commission nationale","XVG","2026-01-01T00:00:00Z"]
//	...
//	{"table":"users","columns":[...]}
//	...
//	{"end":true,"tables":7,"rows":1234,"sha256":"3a7b..."}
//
// The header names the schema version (the newest migration the writing
// binary carried), which restore checks, and the dialect it came from, which
// is only shown. Then each
// table the store has, in the order of db.DB.Tables (a table after those it
// references), with its columns, and its rows as JSON arrays in that column
// order, sorted by primary key with text compared byte-wise, so that the
// same content gives the same lines whichever store it came from. Tables are
// discovered, never listed here, so those that later migrations add are
// carried without a change to this package; schema_migrations is not, as
// the target's own migrations fill it. The trailer counts tables and rows
// and holds the SHA-256 of every uncompressed byte before it, so a truncated
// or altered file is refused even where gzip's own CRC would not notice.
//
// Values keep their type across the two stores:
//
//	NULL             null
//	integer          a JSON number (always integral; read back as int64)
//	text             a JSON string, or {"s64":BASE64} if it is not valid UTF-8
//	float            {"f":"1.5"}  (strconv 'g' form, so NaN and ±Inf survive)
//	bytes (BLOB)     {"b64":BASE64}
//	boolean          true or false
//	timestamp        {"t":"RFC 3339 with nanoseconds"}
//
// Vigil's schema stores times as RFC 3339 text, so the last appears only if
// a column is ever declared with a time type, which the drivers turn into
// time.Time.
//
// # Restoring
//
// Restore reads the file twice. The first pass checks everything that can
// be checked without writing: gzip integrity, the header, every line's
// shape, the trailer's counts and checksum, that the backup's schema is not
// newer than this binary's, that the store has every table and column the
// backup holds, and that the store is empty. Only then does the second pass
// insert all rows in one System-scope transaction, checking the checksum
// again before it commits. A refused restore therefore leaves the store as
// it was. A backup of an older schema loads into a newer store as long as
// its tables and columns still exist there; columns added since take their
// defaults.
package backup
