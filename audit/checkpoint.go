package audit

import (
	"context"
	"crypto/ed25519"
	"database/sql"
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

// Heads lists every chain's head that q can see, by institution.
func Heads(ctx context.Context, q db.Q) ([]Head, error) {
	rows, err := q.Query(ctx, "SELECT institution_id, seq, hash FROM audit_heads ORDER BY institution_id")
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

// readHead reads one chain's head; suffix is "" or " FOR UPDATE".
func readHead(ctx context.Context, q db.Q, inst, suffix string) (Head, bool, error) {
	h := Head{Institution: inst}
	err := q.QueryRow(ctx, "SELECT seq, hash FROM audit_heads WHERE institution_id = ?"+suffix, inst).Scan(&h.Seq, &h.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return h, false, nil
	}
	if err != nil {
		return h, false, fmt.Errorf("audit: read head of %s: %w", inst, err)
	}
	return h, true, nil
}

// Checkpoint signs the current head of institution's chain now, rather than
// waiting for the next multiple of Every — before a backup, say, or at the end
// of a reporting period. A chain with no entries is left alone.
func (l *Log) Checkpoint(ctx context.Context, d *db.DB, institution string) error {
	if l.Signer == nil {
		return errors.New("audit: checkpoint needs a signing key")
	}
	if err := validInstitution(institution); err != nil {
		return err
	}
	return d.Write(ctx, institution, func(tx *db.Tx) error {
		h, found, err := readHead(ctx, tx, institution, "")
		if err != nil || !found || h.Seq == 0 {
			return err
		}
		return l.sign(ctx, tx, h, time.Now().UTC().Format(timeLayout))
	})
}

// sign stores a signed checkpoint of h. An existing checkpoint at the same
// seq is kept, never replaced: it is evidence, and whoever can write to the
// database must not be able to swap it for one of their choosing.
func (l *Log) sign(ctx context.Context, q db.Q, h Head, at string) error {
	keyID := l.KeyID
	if keyID == "" {
		keyID = KeyID(l.Signer.Public().(ed25519.PublicKey))
	}
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(l.Signer, checkpointMessage(h)))
	if _, err := q.Exec(ctx, `INSERT INTO audit_checkpoints (institution_id, seq, hash, at, key_id, signature)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (institution_id, seq) DO NOTHING`,
		h.Institution, h.Seq, h.Hash, at, keyID, sig); err != nil {
		return fmt.Errorf("audit: checkpoint %s at seq %d: %w", h.Institution, h.Seq, err)
	}
	return nil
}
