// Package audit keeps Vigil's audit trail: who did what to which record, when
// and from where. Each institution has its own append-only hash chain, so an
// entry that is edited, removed or moved breaks the chain, and ed25519-signed
// checkpoints catch even a rewrite of a whole chain by someone with write
// access to the database but not the signing key.
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
// every Every entries (100 if Every is not positive). A zero Log appends
// without signing.
type Log struct {
	Signer ed25519.PrivateKey
	KeyID  string // defaults to KeyID(Signer's public key)
	Every  int
}

// DefaultEvery is how many entries separate automatic checkpoints.
const DefaultEvery = 100

// timeLayout is RFC 3339 with a fixed nine-digit fraction. Go's RFC3339Nano
// drops trailing zeros, which makes the text sort wrongly ("05.5Z" < "05Z");
// fixed width keeps date-range filters on the text column correct.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// Append records e as the next link of its institution's chain, using q —
// the caller's write transaction — so the entry commits or rolls back
// together with the change it describes.
func (l *Log) Append(ctx context.Context, q db.Q, e Entry) error {
	r, err := newRecord(e)
	if err != nil {
		return err
	}
	seq, prev, err := lockHead(ctx, q, r.Institution)
	if err != nil {
		return err
	}
	r.Seq, r.PrevHash = seq+1, prev
	r.Hash = r.computeHash()
	if _, err := q.Exec(ctx, `INSERT INTO audit_log (institution_id, seq, at, actor_id, actor_name, ip,
		action, object_type, object_id, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Institution, r.Seq, r.At, r.ActorID, r.ActorName, r.IP,
		r.Action, r.ObjectType, r.ObjectID, r.Detail, r.PrevHash, r.Hash); err != nil {
		return fmt.Errorf("audit: append to %s: %w", r.Institution, err)
	}
	if _, err := q.Exec(ctx, `INSERT INTO audit_heads (institution_id, seq, hash) VALUES (?, ?, ?)
		ON CONFLICT (institution_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`,
		r.Institution, r.Seq, r.Hash); err != nil {
		return fmt.Errorf("audit: move head of %s: %w", r.Institution, err)
	}
	if l.Signer != nil && r.Seq%int64(l.every()) == 0 {
		return l.sign(ctx, q, Head{r.Institution, r.Seq, r.Hash}, r.At)
	}
	return nil
}

func (l *Log) every() int {
	if l.Every > 0 {
		return l.Every
	}
	return DefaultEvery
}

// lockHead returns the chain's last seq and hash (0 and "" for a new chain).
// On PostgreSQL it row-locks the head until the transaction ends, so that
// concurrent appends to one chain queue instead of both claiming the same
// seq; SQLite's single writer connection already serialises them.
func lockHead(ctx context.Context, q db.Q, inst string) (int64, string, error) {
	if q.Dialect() != db.Postgres {
		h, _, err := readHead(ctx, q, inst, "")
		return h.Seq, h.Hash, err
	}
	h, found, err := readHead(ctx, q, inst, " FOR UPDATE")
	if err != nil || found {
		return h.Seq, h.Hash, err
	}
	// FOR UPDATE cannot lock a row that does not exist yet, so two first
	// appends would both pick seq 1. Create an empty head (the unique key
	// makes a concurrent creator wait for us) and lock that instead. It
	// only survives if this transaction commits, by which time Append has
	// moved it to seq 1.
	if _, err := q.Exec(ctx, `INSERT INTO audit_heads (institution_id, seq, hash) VALUES (?, 0, '')
		ON CONFLICT (institution_id) DO NOTHING`, inst); err != nil {
		return 0, "", fmt.Errorf("audit: create head of %s: %w", inst, err)
	}
	h, _, err = readHead(ctx, q, inst, " FOR UPDATE")
	return h.Seq, h.Hash, err
}

// clean removes what could forge or disguise a line when entries are shown
// or exported as text (ASVS 16.4.1): control characters such as CR, LF and
// ESC, Unicode line and paragraph separators and bidirectional overrides.
// strings.Map also turns invalid UTF-8 into U+FFFD, which PostgreSQL would
// otherwise reject, failing the change being audited.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' ||
			(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
			return -1
		}
		return r
	}, s)
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
