// Package blob is the content-addressed store for evidence files. A file
// is named by the SHA-256 of its bytes, computed as it arrives, and is never
// modified afterwards; storing the same bytes twice stores them once.
//
// Every stored file has a row in the blobs table (institution, hash, size),
// which is the index and the tenant boundary: a file is only reachable
// through the institution that stored it. Where the bytes live depends on
// the store: on PostgreSQL in that row (so every server behind a load
// balancer sees the same files), on SQLite in a folder beside the database
// file, one file per hash and institution, written once and made read-only.
package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"vigil/db"
)

// MaxSize is the largest file Put accepts unless told otherwise.
const MaxSize = 200 << 20

// ErrNotFound is returned for a hash the institution never stored.
var ErrNotFound = errors.New("blob: no such file")

// ErrTooLarge is returned when a file exceeds the size limit.
var ErrTooLarge = errors.New("blob: file too large")

// ErrCorrupt is returned when stored bytes no longer match their hash.
var ErrCorrupt = errors.New("blob: stored bytes do not match their SHA-256")

// Store puts and opens files. Dir "" keeps bytes in the database.
type Store struct {
	Dir string
}

// For picks the store for d: the database itself on PostgreSQL, a folder
// named "evidence" beside the SQLite file otherwise.
func For(d *db.DB) *Store {
	if d.Dialect != db.SQLite {
		return &Store{}
	}
	p := strings.TrimPrefix(d.URL, "sqlite:")
	p = strings.TrimPrefix(p, "file:")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if p == "" || p == ":memory:" {
		return &Store{}
	}
	return &Store{Dir: filepath.Join(filepath.Dir(p), "evidence")}
}

// Ref names a stored file.
type Ref struct {
	SHA256 string
	Size   int64
}

func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil && strings.ToLower(h) == h
}

func (s *Store) path(inst, sum string) string {
	return filepath.Join(s.Dir, inst, sum[:2], sum)
}

// Put stores r's bytes for inst (at most max bytes; 0 means MaxSize) and
// records them in q's transaction. Storing bytes already present is a no-op
// that returns the same Ref.
func (s *Store) Put(ctx context.Context, q db.Q, inst string, r io.Reader, max int64) (Ref, error) {
	if max <= 0 {
		max = MaxSize
	}
	if inst == "" || strings.ContainsAny(inst, `/\.`) {
		return Ref{}, fmt.Errorf("blob: bad institution id")
	}
	h := sha256.New()
	lr := &io.LimitedReader{R: r, N: max + 1}
	var ref Ref
	inline := s.Dir == ""
	var data []byte
	if inline {
		var buf bytes.Buffer
		n, err := io.Copy(io.MultiWriter(&buf, h), lr)
		if err != nil {
			return Ref{}, err
		}
		if n > max {
			return Ref{}, ErrTooLarge
		}
		data, ref.Size = buf.Bytes(), n
		ref.SHA256 = hex.EncodeToString(h.Sum(nil))
	} else {
		tmpDir := filepath.Join(s.Dir, inst)
		if err := os.MkdirAll(tmpDir, 0o700); err != nil {
			return Ref{}, err
		}
		tmp, err := os.CreateTemp(tmpDir, ".incoming-*")
		if err != nil {
			return Ref{}, err
		}
		defer os.Remove(tmp.Name()) // gone after the rename; cleans up on failure
		n, err := io.Copy(io.MultiWriter(tmp, h), lr)
		if err == nil && n > max {
			err = ErrTooLarge
		}
		if err == nil {
			err = tmp.Sync()
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return Ref{}, err
		}
		ref.Size = n
		ref.SHA256 = hex.EncodeToString(h.Sum(nil))
		dst := s.path(inst, ref.SHA256)
		if _, err := os.Stat(dst); err != nil {
			if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
				return Ref{}, err
			}
			if err := os.Chmod(tmp.Name(), 0o400); err != nil {
				return Ref{}, err
			}
			if err := os.Rename(tmp.Name(), dst); err != nil {
				return Ref{}, err
			}
		}
	}
	var n int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM blobs WHERE institution_id = ? AND sha256 = ?", inst, ref.SHA256).Scan(&n); err != nil {
		return Ref{}, err
	}
	if n == 0 {
		var blobData any
		if inline {
			blobData = data
		}
		if _, err := q.Exec(ctx, "INSERT INTO blobs (institution_id, sha256, size, inline, data, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			inst, ref.SHA256, ref.Size, boolInt(inline), blobData, db.Now()); err != nil {
			return Ref{}, err
		}
	}
	return ref, nil
}

// PutBytes stores b in the database row whatever the store, for small
// files written where no folder is known (demo data).
func PutBytes(ctx context.Context, q db.Q, inst string, b []byte) (Ref, error) {
	return (&Store{}).Put(ctx, q, inst, bytes.NewReader(b), int64(len(b))+1)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Open returns the bytes stored under sum for inst. The reader checks the
// hash as it is read and fails at the end with ErrCorrupt on a mismatch.
func (s *Store) Open(ctx context.Context, q db.Q, inst, sum string) (io.ReadCloser, int64, error) {
	if !validHash(sum) {
		return nil, 0, ErrNotFound
	}
	var inline int
	var size int64
	var data []byte
	err := q.QueryRow(ctx, "SELECT inline, size, data FROM blobs WHERE institution_id = ? AND sha256 = ?", inst, sum).Scan(&inline, &size, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, ErrNotFound
	} else if err != nil {
		return nil, 0, err
	}
	var rc io.ReadCloser
	if inline == 1 {
		rc = io.NopCloser(bytes.NewReader(data))
	} else {
		if s.Dir == "" {
			return nil, 0, fmt.Errorf("blob %s is kept in a folder this server has no access to", sum[:12])
		}
		f, err := os.Open(s.path(inst, sum))
		if err != nil {
			return nil, 0, err
		}
		rc = f
	}
	return &checked{rc: rc, h: sha256.New(), want: sum}, size, nil
}

// openFile reads a file of the folder store, checking its hash.
func (s *Store) openFile(inst, sum string) (io.ReadCloser, error) {
	f, err := os.Open(s.path(inst, sum))
	if err != nil {
		return nil, err
	}
	return &checked{rc: f, h: sha256.New(), want: sum}, nil
}

// checked hashes what passes through and reports a mismatch at EOF.
type checked struct {
	rc io.ReadCloser
	h  interface {
		Write([]byte) (int, error)
		Sum([]byte) []byte
	}
	want string
}

func (c *checked) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	c.h.Write(p[:n])
	if err == io.EOF && hex.EncodeToString(c.h.Sum(nil)) != c.want {
		return n, ErrCorrupt
	}
	return n, err
}

func (c *checked) Close() error { return c.rc.Close() }

// Verify re-reads a stored file and checks it against its hash.
func (s *Store) Verify(ctx context.Context, q db.Q, inst, sum string) error {
	rc, _, err := s.Open(ctx, q, inst, sum)
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
	return err
}
