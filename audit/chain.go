package audit

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
)

// chain checks one institution's rows as verifyQuery delivers them: ordered
// by seq, and at one seq the entry before its checkpoint before the head.
// After the first fault it ignores the rest of the chain, since every later
// check would only repeat the same damage.
type chain struct {
	inst     string
	rep      *Report
	pub      ed25519.PublicKey
	last     int64  // seq of the last entry walked
	lastHash string // its hash
	bad      *Problem
	suspect  *record // entry whose own hash failed, if that was the fault
}

func (c *chain) fail(seq int64, format string, a ...any) {
	c.bad = &Problem{Institution: c.inst, Seq: seq, What: fmt.Sprintf(format, a...)}
}

func (c *chain) entry(r *record) {
	if c.bad != nil {
		return
	}
	switch {
	case c.last == 0 && r.Seq > 1:
		c.fail(1, "chain starts at seq %d, not 1 (%s)", r.Seq, removed(r.Seq-1))
	case r.Seq < 1:
		c.fail(r.Seq, "invalid seq %d", r.Seq)
	case r.Seq != c.last+1:
		c.fail(c.last+1, "seq gap: %d follows %d (%s)", r.Seq, c.last, removed(r.Seq-c.last-1))
	case r.computeHash() != r.Hash:
		c.fail(r.Seq, "hash mismatch (entry changed)")
		c.suspect = r
	case r.PrevHash != c.lastHash && c.last == 0:
		c.fail(r.Seq, "first entry links to an earlier one (chain truncated and rebuilt)")
	case r.PrevHash != c.lastHash:
		// r is intact but does not follow what now stands before it: the
		// previous entry was rewritten with a fresh hash, or replaced.
		c.fail(r.Seq, "prev_hash does not match the hash of seq %d (seq %d rewritten or replaced)", c.last, c.last)
	}
	if c.bad == nil {
		c.last, c.lastHash = r.Seq, r.Hash
		c.rep.Entries++
	}
}

func removed(n int64) string {
	if n == 1 {
		return "entry removed"
	}
	return fmt.Sprintf("%d entries removed", n)
}

func (c *chain) checkpoint(h Head, keyID, sig string) {
	if c.bad != nil {
		return
	}
	// Entries up to h.Seq have been walked, so a lower last seq means the
	// checkpointed entry is gone.
	switch {
	case c.last != h.Seq:
		c.fail(h.Seq, "checkpointed entry missing (entry removed; the last entry before it is seq %d)", c.last)
	case h.Hash != c.lastHash:
		c.fail(h.Seq, "checkpoint hash does not match the entry (chain rewritten)")
	case c.pub != nil && keyID != KeyID(c.pub):
		c.fail(h.Seq, "checkpoint signature invalid (signed by key %s, verifying with key %s)", keyID, KeyID(c.pub))
	case c.pub != nil && !validSignature(c.pub, h, sig):
		c.fail(h.Seq, "checkpoint signature invalid")
	}
	if c.bad == nil {
		c.rep.Checkpoints++
	}
}

func validSignature(pub ed25519.PublicKey, h Head, sig string) bool {
	raw, err := base64.StdEncoding.DecodeString(sig)
	return err == nil && ed25519.Verify(pub, checkpointMessage(h), raw)
}

// head checks a row of audit_heads. Before migration 0010 Append moved that
// row with every entry; it no longer writes it (the page it cost made the
// entry twice as dear, and anyone able to delete entries could move it too),
// so a row left by an older store is a lower bound, an unsigned checkpoint:
// the chain must still reach it, with the same hash, and may go on past it.
func (c *chain) head(h Head) {
	if c.bad != nil {
		return
	}
	// Entries up to h.Seq have been walked, so last <= h.Seq here.
	switch {
	case h.Seq > c.last:
		c.fail(c.last+1, "head says seq %d but chain ends at %d (newest entries removed)", h.Seq, c.last)
	case h.Hash != c.lastHash:
		c.fail(h.Seq, "head hash does not match the entry (entry rewritten)")
	}
}

// finish runs when the walk leaves the chain. Nothing records where a chain
// ends except its newest checkpoint, which checkpoint has already checked:
// entries after it can be cut without a trace (docs/security.md).
func (c *chain) finish() {}
