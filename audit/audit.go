// Package audit keeps Vigil's audit trail: who did what to which record, when
// and from where. Each institution has its own append-only hash chain, so an
// entry that is edited, removed or moved breaks the chain, and ed25519-signed
// checkpoints catch even a rewrite of a whole chain by someone with write
// access to the database but not the signing key. The one thing the chain
// cannot show is the removal of its newest entries, those after its last
// checkpoint; checkpoints are signed often to keep that tail short
// (docs/security.md).
//
// This package owns writing entries (Log.Append, inside the caller's
// transaction), signing checkpoints, verifying chains, browsing entries and
// the checkpoint signing key. Deciding what is worth auditing belongs to the
// packages that call Append; presenting entries belongs to the web layer.
//
// Entries can never be corrected or redacted without breaking the chain, and
// every reviewer of an institution can read them. Never put confidential
// values in an Entry — no passwords, tokens, TOTP secrets, field-encryption
// keys, names of victims or witnesses, or testimony. Name the record by type
// and ID and say what kind of change was made, not what it now contains.
package audit

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"vigil/db"
)

// Entry is one event in the trail. Detail is a short, non-confidential note
// (for example "role analyst -> reviewer" or "3 files"); see the package
// comment for what must never go in any field.
type Entry struct {
	Institution string // chain the entry belongs to; required
	ActorID     string // user ID, or "" for the system itself
	ActorName   string // username at the time, so the entry reads on its own
	IP          string
	Action      string // dotted verb such as "user.create"; required
	ObjectType  string
	ObjectID    string
	Detail      string
	At          time.Time // zero means now; stored in UTC
}

// Log appends entries and, when it holds a signing key, signs a checkpoint
// every Every entries (100 if Every is not positive) and on the first entry
// of a chain more than Interval after its last checkpoint in this process
// (DefaultInterval if Interval is zero, never if it is negative). A zero Log
// appends without signing.
type Log struct {
	Signer   ed25519.PrivateKey
	KeyID    string // defaults to KeyID(Signer's public key)
	Every    int
	Interval time.Duration
	// Report, when set, receives the errors of work done after a commit
	// (a checkpoint signed in its own transaction on PostgreSQL), which
	// cannot fail the change that is already committed.
	Report func(error)
}

// DefaultEvery is how many entries separate automatic checkpoints.
const DefaultEvery = 100

// DefaultInterval is how long a busy chain may go without a checkpoint.
const DefaultInterval = time.Minute

// timeLayout is RFC 3339 with a fixed nine-digit fraction. Go's RFC3339Nano
// drops trailing zeros, which makes the text sort wrongly ("05.5Z" < "05Z");
// fixed width keeps date-range filters on the text column correct.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// maxAttempts bounds the retries of one Append. A failed attempt means that
// another transaction moved the chain meanwhile, so only a chain written
// faster than one entry per round trip, for this long, runs out.
const maxAttempts = 1000

// Append records e as the next link of its institution's chain, using q —
// the caller's write transaction — so the entry commits or rolls back
// together with the change it describes.
//
// Where the entry goes in the chain is worked out from the head this
// process remembers (heads), checked by the store so that an entry only
// ever follows the real newest entry with its real hash:
//
//   - On SQLite, one plain INSERT under the store's write lock; a head that
//     another writer moved on is refused by the primary key and read again
//     (sqliteappend.go).
//   - On PostgreSQL, an INSERT queued to go to the server with the COMMIT,
//     guarded in the same statement; a wrong guess makes the store run the
//     whole transaction again with the entry placed by the server
//     (pgappend.go). Errors then come from the commit.
//   - In a bulk load's transaction (db.BulkTx), a guarded INSERT from a
//     head of its own (insert, below).
func (l *Log) Append(ctx context.Context, q db.Q, e Entry) error {
	if skipForBench() {
		return nil
	}
	r, err := newRecord(e)
	if err != nil {
		return err
	}
	if t, ok := q.(*db.Tx); ok {
		if t.Dialect() == db.Postgres {
			return l.appendPG(ctx, t, r) // written with the COMMIT: pgappend.go
		}
		return l.appendSQLite(ctx, t, r)
	}
	// Another kind of Q (a bulk load's transaction, SQLite only): the
	// guarded way, with a cache of its own, moved when the entry is written.
	if q.Dialect() != db.SQLite {
		return fmt.Errorf("audit: append to %s: a PostgreSQL entry needs the *db.Tx it commits with, not a %T", r.Institution, q)
	}
	key := headKey{dialect: q.Dialect(), inst: r.Institution}
	h, cached := heads.get(key)
	for attempt := 0; ; attempt++ {
		if !cached {
			if h, err = lastEntry(ctx, q, r.Institution); err != nil {
				return err
			}
		}
		r.Seq, r.PrevHash = h.Seq+1, h.Hash
		r.Hash = r.computeHash()
		ok, err := insert(ctx, q, &r, cached)
		switch {
		case err != nil && cached:
			// The SQLite guard fails as a NOT NULL error, which undoes
			// this statement only; read the head and try again. Any
			// other error comes back on that try.
		case err != nil:
			return fmt.Errorf("audit: append to %s: %w", r.Institution, err)
		case ok:
			sign := l.Signer != nil && (r.Seq%int64(l.every()) == 0 || heads.due(key, l.interval()))
			heads.put(key, cachedHead{Seq: r.Seq, Hash: r.Hash}, sign)
			if sign {
				return l.sign(ctx, q, Head{r.Institution, r.Seq, r.Hash}, r.At)
			}
			return nil
		}
		if attempt >= maxAttempts {
			return fmt.Errorf("audit: append to %s: chain kept moving for %d attempts", r.Institution, maxAttempts)
		}
		cached = false
	}
}

const insertColumns = `INSERT INTO audit_log (institution_id, seq, at, actor_id, actor_name, ip,
	action, object_type, object_id, detail, prev_hash, hash) `

// insert writes r unless seq r.Seq already exists, reporting whether it
// did (SQLite only). When guarded (r's seq and prev_hash come from a bulk
// load's cache, not from a read in this transaction), it also requires
// that seq r.Seq-1 exists with hash r.PrevHash: otherwise the hash column
// gets NULL and the statement fails, which undoes only this statement.
// The guard sits in VALUES because an INSERT ... SELECT that reads its own
// table goes through a temporary table, which costs more than the whole
// entry.
func insert(ctx context.Context, q db.Q, r *record, guarded bool) (bool, error) {
	args := []any{r.Institution, r.Seq, r.At, r.ActorID, r.ActorName, r.IP,
		r.Action, r.ObjectType, r.ObjectID, r.Detail, r.PrevHash}
	var res sql.Result
	var err error
	if !guarded || r.Seq == 1 { // the primary key alone shows whether the chain was empty
		res, err = q.Exec(ctx, sqliteInsert, append(args, r.Hash)...)
	} else {
		res, err = q.Exec(ctx, insertColumns+`VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
			CASE WHEN EXISTS (SELECT 1 FROM audit_log WHERE institution_id = ? AND seq = ? AND hash = ?) THEN ? END)
			ON CONFLICT (institution_id, seq) DO NOTHING`, append(args, r.Institution, r.Seq-1, r.PrevHash, r.Hash)...)
	}
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (l *Log) every() int {
	if l.Every > 0 {
		return l.Every
	}
	return DefaultEvery
}

func (l *Log) interval() time.Duration {
	if l.Interval == 0 {
		return DefaultInterval
	}
	return l.Interval
}

// clean removes what could forge or disguise a line when entries are shown
// or exported as text (ASVS 16.4.1): control characters such as CR, LF and
// ESC, Unicode line and paragraph separators and bidirectional overrides.
// strings.Map also turns invalid UTF-8 into U+FFFD, which PostgreSQL would
// otherwise reject, failing the change being audited.
func clean(s string) string {
	if printableASCII(s) {
		return s // the usual case, without a look at every rune's class
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' ||
			(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
			return -1
		}
		return r
	}, s)
}

// printableASCII reports whether s is only ASCII from space to tilde, which
// clean leaves as it is.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// validInstitution rejects rather than cleans an institution ID: silently
// changing it would file the entry under a chain that does not exist.
func validInstitution(inst string) error {
	if inst == "" || inst == db.System || clean(inst) != inst {
		return fmt.Errorf("audit: invalid institution ID %q", inst)
	}
	return nil
}

func newRecord(e Entry) (record, error) {
	if err := validInstitution(e.Institution); err != nil {
		return record{}, err
	}
	at := e.At
	if at.IsZero() {
		at = time.Now()
	}
	r := record{
		Institution: e.Institution,
		At:          at.UTC().Format(timeLayout),
		ActorID:     clean(e.ActorID),
		ActorName:   clean(e.ActorName),
		IP:          clean(e.IP),
		Action:      clean(e.Action),
		ObjectType:  clean(e.ObjectType),
		ObjectID:    clean(e.ObjectID),
		Detail:      clean(e.Detail),
	}
	if r.Action == "" {
		return record{}, errors.New("audit: entry without an action")
	}
	return r, nil
}
