package audit

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"

	"vigil/db"
)

// ErrDamaged is wrapped by the error Verify returns when a chain fails.
var ErrDamaged = errors.New("audit trail damaged")

// Problem is the first fault found in one chain. Seq is the entry at fault:
// for removed entries, the first missing seq; for a checkpoint, its seq.
type Problem struct {
	Institution string `json:"institution"`
	Seq         int64  `json:"seq"`
	What        string `json:"what"`
}

func (p Problem) String() string {
	return fmt.Sprintf("institution %s, seq %d: %s", p.Institution, p.Seq, p.What)
}

// Report says what Verify checked and what it found, one Problem per
// damaged chain in institution order. Counts stop at a chain's first fault.
type Report struct {
	Chains            int       `json:"chains"`
	Entries           int64     `json:"entries"`
	Checkpoints       int       `json:"checkpoints"`
	SignaturesChecked bool      `json:"signatures_checked"`
	Problems          []Problem `json:"problems,omitempty"`
}

// OK reports whether every chain verified.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// Row kinds in verifyQuery, in the order they must meet the walk at one seq:
// the entry, then a checkpoint of it, then a head row pointing at it (left
// by versions before migration 0010; see chain.head).
const (
	kindEntry = iota
	kindCheckpoint
	kindHead
)

// verifyQuery reads the three tables in one statement so that on PostgreSQL
// they come from one snapshot: read separately at READ COMMITTED, an append
// landing between the reads would look like a removed entry.
const verifyQuery = `
SELECT institution_id, seq, 0, at, actor_id, actor_name, ip, action, object_type, object_id, detail, prev_hash, hash, '', ''
  FROM audit_log
UNION ALL
SELECT institution_id, seq, 1, '', '', '', '', '', '', '', '', '', hash, key_id, signature
  FROM audit_checkpoints
UNION ALL
SELECT institution_id, seq, 2, '', '', '', '', '', '', '', '', '', hash, '', ''
  FROM audit_heads
ORDER BY 1, 2, 3`

// Verify walks every institution's chain in seq order and checks that each
// entry's hash is right for its contents, that seqs run from 1 without gaps,
// that each entry links to the one before, that every checkpoint matches
// the entry at its seq and — when pub is not nil — carries a valid
// signature by pub, and that an older store's head row still matches its
// entry. Entries after a chain's last checkpoint can be cut without a
// trace; CheckpointIdle keeps that tail short. It returns an error
// wrapping ErrDamaged, naming the first fault, when any chain fails.
func Verify(ctx context.Context, d *db.DB, pub ed25519.PublicKey) (Report, error) {
	rep := Report{SignaturesChecked: pub != nil}
	err := d.Read(ctx, db.System, func(tx *db.Tx) error {
		suspects, err := walk(ctx, tx, pub, &rep)
		if err != nil {
			return err
		}
		for i, r := range suspects {
			if r == nil {
				continue
			}
			orig, err := originalSeq(ctx, tx, *r)
			if err != nil {
				return err
			}
			if orig != 0 {
				rep.Problems[i].What = fmt.Sprintf("out of order: entry written as seq %d is stored as seq %d", orig, r.Seq)
			}
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("audit: verify: %w", err)
	}
	if !rep.OK() {
		err = fmt.Errorf("%w: %s", ErrDamaged, rep.Problems[0])
		if n := len(rep.Problems) - 1; n > 0 {
			err = fmt.Errorf("%w (and %d more damaged chain(s))", err, n)
		}
	}
	return rep, err
}

// walk streams verifyQuery through one chain checker per institution. For
// each problem it returns, at the same index, the entry whose hash failed
// (or nil), to be told apart afterwards as changed or moved; that needs
// more queries, which cannot run while these rows are open.
func walk(ctx context.Context, tx *db.Tx, pub ed25519.PublicKey, rep *Report) ([]*record, error) {
	rows, err := tx.Query(ctx, verifyQuery)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var c *chain
	var suspects []*record
	done := func() {
		if c == nil {
			return
		}
		c.finish()
		if c.bad != nil {
			rep.Problems = append(rep.Problems, *c.bad)
			suspects = append(suspects, c.suspect)
		}
	}
	for rows.Next() {
		var r record
		var kind int
		var keyID, sig string
		if err := rows.Scan(&r.Institution, &r.Seq, &kind, &r.At, &r.ActorID, &r.ActorName, &r.IP, &r.Action,
			&r.ObjectType, &r.ObjectID, &r.Detail, &r.PrevHash, &r.Hash, &keyID, &sig); err != nil {
			return nil, err
		}
		if c == nil || c.inst != r.Institution {
			done()
			c = &chain{inst: r.Institution, rep: rep, pub: pub}
			rep.Chains++
		}
		switch kind {
		case kindEntry:
			c.entry(&r)
		case kindCheckpoint:
			c.checkpoint(Head{r.Institution, r.Seq, r.Hash}, keyID, sig)
		case kindHead:
			c.head(Head{r.Institution, r.Seq, r.Hash})
		}
	}
	done()
	return suspects, rows.Err()
}

// originalSeq finds where an entry whose hash failed was first written: the
// entry that followed it records its hash as prev_hash. The newest entry has
// no follower; a checkpoint or an old store's head row may name its hash,
// and failing those every other seq of the chain is tried, since the seq is
// part of what is hashed (a damaged chain only, so the cost does not
// matter). It returns that seq when the entry hashes correctly there —
// moved, not changed — and 0 otherwise.
func originalSeq(ctx context.Context, tx *db.Tx, r record) (int64, error) {
	var orig int64
	err := tx.QueryRow(ctx, "SELECT MIN(seq) - 1 FROM audit_log WHERE institution_id = ? AND prev_hash = ? HAVING COUNT(*) > 0",
		r.Institution, r.Hash).Scan(&orig)
	for _, q := range []string{
		"SELECT MIN(seq) FROM audit_checkpoints WHERE institution_id = ? AND hash = ? HAVING COUNT(*) > 0",
		"SELECT seq FROM audit_heads WHERE institution_id = ? AND hash = ?",
	} {
		if !errors.Is(err, sql.ErrNoRows) {
			break
		}
		err = tx.QueryRow(ctx, q, r.Institution, r.Hash).Scan(&orig)
	}
	if errors.Is(err, sql.ErrNoRows) {
		last, err := lastEntry(ctx, tx, r.Institution)
		if err != nil {
			return 0, err
		}
		return trySeqs(r, max(last.Seq, r.Seq)+1), nil
	}
	if err != nil {
		return 0, err
	}
	moved := r
	moved.Seq = orig
	if orig == r.Seq || moved.computeHash() != r.Hash {
		return 0, nil
	}
	return orig, nil
}

// maxTries caps trySeqs at a few seconds of hashing.
const maxTries = 5_000_000

// trySeqs returns the seq in 1..upTo, other than r.Seq, at which r hashes
// to r.Hash, nearest to r.Seq first, or 0.
func trySeqs(r record, upTo int64) int64 {
	at := r.Seq
	for d := int64(1); d <= maxTries && (at-d >= 1 || at+d <= upTo); d++ {
		for _, s := range []int64{at + d, at - d} {
			if s < 1 || s > upTo {
				continue
			}
			r.Seq = s
			if r.computeHash() == r.Hash {
				return s
			}
		}
	}
	return 0
}
