package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"vigil/db"
)

// Head is the last link of one institution's chain.
type Head struct {
	Institution string `json:"institution"`
	Seq         int64  `json:"seq"`
	Hash        string `json:"hash"`
}

// Heads lists the newest entry of every chain that q can see, by
// institution.
func Heads(ctx context.Context, q db.Q) ([]Head, error) {
	return queryHeads(ctx, q, headsQuery+" ORDER BY l.institution_id")
}

// Unsigned lists the heads that no checkpoint covers yet: the chains whose
// newest entries could be removed without Verify noticing.
func Unsigned(ctx context.Context, q db.Q) ([]Head, error) {
	return queryHeads(ctx, q, headsQuery+` WHERE NOT EXISTS (SELECT 1 FROM audit_checkpoints c
		WHERE c.institution_id = l.institution_id AND c.seq = l.seq) ORDER BY l.institution_id`)
}

func queryHeads(ctx context.Context, q db.Q, query string) ([]Head, error) {
	rows, err := q.Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("audit: list heads: %w", err)
	}
	defer rows.Close()
	var out []Head
	for rows.Next() {
		var h Head
		if err := rows.Scan(&h.Institution, &h.Seq, &h.Hash); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// Checkpoint signs the current head of institution's chain now, rather than
// waiting for the next multiple of Every — before a backup, say, at the end
// of a reporting period, or when the chain has gone quiet (CheckpointIdle).
// A chain with no entries is left alone.
func (l *Log) Checkpoint(ctx context.Context, d *db.DB, institution string) error {
	if l.Signer == nil {
		return errors.New("audit: checkpoint needs a signing key")
	}
	if err := validInstitution(institution); err != nil {
		return err
	}
	return d.Write(ctx, institution, func(tx *db.Tx) error {
		h, err := lastEntry(ctx, tx, institution)
		if err != nil || h.Seq == 0 {
			return err
		}
		tx.AfterCommit(func() { heads.signed(chainKey(d, institution)) })
		return l.sign(ctx, tx, Head{institution, h.Seq, h.Hash}, time.Now().UTC().Format(timeLayout))
	})
}

// CheckpointIdle signs the head of every chain whose newest entry no
// checkpoint covers, and returns how many it signed. Run by a server at
// intervals and when it stops, it bounds what someone with write access to
// the database but not the key could cut from the end of a chain unseen to
// the entries of the last interval (docs/security.md).
func (l *Log) CheckpointIdle(ctx context.Context, d *db.DB) (int, error) {
	if l.Signer == nil {
		return 0, errors.New("audit: checkpoint needs a signing key")
	}
	var hs []Head
	if err := d.Read(ctx, db.System, func(tx *db.Tx) (err error) {
		hs, err = Unsigned(ctx, tx)
		return err
	}); err != nil {
		return 0, err
	}
	for i, h := range hs {
		if err := l.Checkpoint(ctx, d, h.Institution); err != nil {
			return i, err
		}
	}
	return len(hs), nil
}

// RunCheckpoints calls CheckpointIdle every interval until ctx ends, and
// once more then (with a fresh context, so that shutdown still signs),
// passing each failure to report.
func (l *Log) RunCheckpoints(ctx context.Context, d *db.DB, interval time.Duration, report func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if _, err := l.CheckpointIdle(final, d); err != nil {
				report(err)
			}
			return
		case <-t.C:
			if _, err := l.CheckpointIdle(ctx, d); err != nil && ctx.Err() == nil {
				report(err)
			}
		}
	}
}

// keyID names the signing key in checkpoints.
func (l *Log) keyID() string {
	if l.KeyID != "" {
		return l.KeyID
	}
	return KeyID(l.Signer.Public().(ed25519.PublicKey))
}

// sign stores a signed checkpoint of h. An existing checkpoint at the same
// seq is kept, never replaced: it is evidence, and whoever can write to the
// database must not be able to swap it for one of their choosing.

func (l *Log) sign(ctx context.Context, q db.Q, h Head, at string) error {
	keyID := l.keyID()
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(l.Signer, checkpointMessage(h)))
	if _, err := q.Exec(ctx, `INSERT INTO audit_checkpoints (institution_id, seq, hash, at, key_id, signature)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (institution_id, seq) DO NOTHING`,
		h.Institution, h.Seq, h.Hash, at, keyID, sig); err != nil {
		return fmt.Errorf("audit: checkpoint %s at seq %d: %w", h.Institution, h.Seq, err)
	}
	return nil
}
