package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"vigil/db"
)

// heads remembers, per chain as one writer sees it (headKey), the newest
// entry committed through this process and when it last signed a
// checkpoint of that chain, and holds this process's lock on each chain
// (used on PostgreSQL, pgappend.go).
//
// The head is a guess that the store checks, never trusted: a head made
// stale by another process writing the same store (the CLI beside the
// server, a second server), by another handle on it, or by a bulk load's
// connection costs a re-read of the real head (SQLite) or a second run of
// the transaction (PostgreSQL), not a broken or forked chain. It moves only
// when the transaction that appended commits. Keeping it in the package
// rather than in Log serves code that makes a fresh Log for each task.
var heads = &headCache{m: map[headKey]*headState{}, locks: map[headKey]chan struct{}{}}

// headKey names a chain as one writer sees it. Transactions of a store
// (db.Tx) key it by the store, so that two stores or two handles on one
// file in a process never share a head; a bulk load's transaction, which
// is no db.Tx, keys it without one and keeps its own, guarded cache.
type headKey struct {
	dialect db.Dialect
	store   *db.DB // nil for a bulk load's transaction
	inst    string
}

// chainKey is the key of institution's chain in store d, as a *db.Tx of
// either dialect appends to it.
func chainKey(d *db.DB, inst string) headKey {
	return headKey{dialect: d.Dialect, store: d, inst: inst}
}

type cachedHead struct {
	Seq  int64
	Hash string
}

type headState struct {
	head     cachedHead
	unknown  bool      // dropped: head is not to be used
	signedAt time.Time // last checkpoint signed here, or when first seen
}

type headCache struct {
	mu    sync.Mutex
	m     map[headKey]*headState
	locks map[headKey]chan struct{}
}

// lock takes this process's lock on a chain and returns its release, or
// gives up when ctx ends. A PostgreSQL transaction holds it while it
// places its entries and commits (pgappend.go), so that the next one
// starts from the head it left; a channel rather than a mutex, so that a
// request does not wait past its deadline behind a commit that hangs.
func (c *headCache) lock(ctx context.Context, k headKey) (unlock func(), err error) {
	c.mu.Lock()
	l, ok := c.locks[k]
	if !ok {
		l = make(chan struct{}, 1)
		c.locks[k] = l
	}
	c.mu.Unlock()
	select {
	case l <- struct{}{}:
		return func() { <-l }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("audit: waiting to write to the chain of %s: %w", k.inst, ctx.Err())
	}
}

// drop forgets a chain's head (not when it last signed), so that the next
// append reads it from the store.
func (c *headCache) drop(k headKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[k]; ok {
		s.unknown = true
	}
}

func (c *headCache) get(k headKey) (cachedHead, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[k]
	if !ok || s.unknown {
		return cachedHead{}, false
	}
	return s.head, true
}

// put records h as the chain's head, and now as its last signing time when
// signed is set or the chain is new to the cache. The cache is bounded by
// the number of institutions, which is small.
func (c *headCache) put(k headKey, h cachedHead, signed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[k]
	if !ok {
		s = &headState{signedAt: time.Now()}
		c.m[k] = s
	}
	s.head, s.unknown = h, false
	if signed {
		s.signedAt = time.Now()
	}
}

// signed notes a checkpoint made outside Append.
func (c *headCache) signed(k headKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[k]; ok {
		s.signedAt = time.Now()
	}
}

// due reports whether the chain has gone interval without a checkpoint
// signed by this process (never, for a negative interval).
func (c *headCache) due(k headKey, interval time.Duration) bool {
	if interval < 0 {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[k]
	return ok && time.Since(s.signedAt) >= interval
}

// forget empties the cache; tests use it to play a fresh process.
func (c *headCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}

// lastEntry reads the newest entry of a chain from audit_log (seq 0 and ""
// for an empty chain): one backward step on the primary key.
func lastEntry(ctx context.Context, q db.Q, inst string) (cachedHead, error) {
	var h cachedHead
	err := q.QueryRow(ctx, "SELECT seq, hash FROM audit_log WHERE institution_id = ? ORDER BY seq DESC LIMIT 1", inst).Scan(&h.Seq, &h.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return cachedHead{}, nil
	}
	if err != nil {
		return h, fmt.Errorf("audit: read head of %s: %w", inst, err)
	}
	return h, nil
}

// headsQuery finds each chain's newest entry without reading the whole log:
// the recursive part steps from one institution ID to the next on the
// primary key (a loose index scan, which neither store does on its own for
// DISTINCT), and each chain's MAX(seq) is one more step.
const headsQuery = `
WITH RECURSIVE insts(id) AS (
    SELECT MIN(institution_id) FROM audit_log
    UNION ALL
    SELECT (SELECT MIN(institution_id) FROM audit_log WHERE institution_id > insts.id) FROM insts WHERE insts.id IS NOT NULL
)
SELECT l.institution_id, l.seq, l.hash
  FROM insts JOIN audit_log l ON l.institution_id = insts.id
   AND l.seq = (SELECT MAX(seq) FROM audit_log WHERE institution_id = insts.id)`
