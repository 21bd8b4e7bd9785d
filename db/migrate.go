package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migrations live in migrations/ as NNNN_name.sql, written in the SQL both
// stores accept (TEXT, BIGINT, DOUBLE PRECISION, BLOB; timestamps as RFC 3339
// UTC text so that backups move between stores unchanged). A file named
// NNNN_name.postgres.sql or NNNN_name.sqlite.sql holds what only one dialect
// has (row-level security, FTS5) and runs right after the common file of the
// same number, in the same transaction.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

var migrationName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+?)(?:\.(postgres|sqlite))?\.sql$`)

type migration struct {
	version int
	name    string
	common  string
	dialect map[Dialect]string
}

func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	byVersion := map[int]*migration{}
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %s: name must be NNNN_name[.postgres|.sqlite].sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		body, err := fs.ReadFile(migrationFS, "migrations/"+e.Name())
		if err != nil {
			return nil, err
		}
		mg := byVersion[v]
		if mg == nil {
			mg = &migration{version: v, name: m[2], dialect: map[Dialect]string{}}
			byVersion[v] = mg
		}
		if m[3] == "" {
			mg.common = string(body)
		} else {
			mg.dialect[Dialect(m[3])] = string(body)
		}
	}
	out := make([]migration, 0, len(byVersion))
	for _, m := range byVersion {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// SchemaVersion is the newest migration this binary carries.
func SchemaVersion() int {
	ms, err := loadMigrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// Migrate applies every migration the store has not seen, each in its own
// transaction. On PostgreSQL an advisory lock lets several servers start at
// once without racing.
func (d *DB) Migrate(ctx context.Context) (applied int, err error) {
	ms, err := loadMigrations()
	if err != nil {
		return 0, err
	}
	if _, err := d.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range ms {
		err := d.Write(ctx, System, func(tx *Tx) error {
			if d.Dialect == Postgres {
				if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(7781001)"); err != nil {
					return err
				}
			}
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, body := range []string{m.common, m.dialect[d.Dialect]} {
				if body == "" {
					continue
				}
				if d.Dialect == Postgres {
					body = pgTypes(body)
				}
				for _, stmt := range splitStatements(body) {
					if _, err := tx.Exec(ctx, stmt); err != nil {
						return fmt.Errorf("migration %04d_%s: %w\n%s", m.version, m.name, err, stmt)
					}
				}
			}
			applied++
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.version, m.name, time.Now().UTC().Format(time.RFC3339Nano))
			return err
		})
		if err != nil {
			return applied, err
		}
	}
	return applied, nil
}

var (
	blobWord     = regexp.MustCompile(`\bBLOB\b`)
	withoutRowID = regexp.MustCompile(`\)\s*WITHOUT ROWID\s*;`)
)

// pgTypes rewrites the few words of the shared SQL that PostgreSQL spells
// differently: BLOB is BYTEA, and SQLite's WITHOUT ROWID storage hint has no
// PostgreSQL counterpart (its tables are heaps either way).
func pgTypes(s string) string {
	return withoutRowID.ReplaceAllString(blobWord.ReplaceAllString(s, "BYTEA"), ");")
}

// splitStatements splits a migration on semicolons at line ends. Statements
// that need inner semicolons are kept whole: PL/pgSQL bodies wrapped in $$
// quotes, and SQLite triggers, which end at a line reading "END;".
func splitStatements(body string) []string {
	var out []string
	var cur strings.Builder
	inDollar := false
	for _, line := range strings.SplitAfter(body, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") && cur.Len() == 0 {
			continue
		}
		if strings.Count(line, "$$")%2 == 1 {
			inDollar = !inDollar
		}
		cur.WriteString(line)
		inTrigger := strings.HasPrefix(strings.ToUpper(strings.TrimSpace(cur.String())), "CREATE TRIGGER")
		if inTrigger && !strings.EqualFold(trimmed, "END;") {
			continue
		}
		if !inDollar && strings.HasSuffix(trimmed, ";") {
			if s := strings.TrimSpace(cur.String()); s != "" {
				out = append(out, s)
			}
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// Tables lists the store's own tables (not schema_migrations, not FTS shadow
// tables), in an order where every table comes after the tables it references.
func (d *DB) Tables(ctx context.Context) ([]string, error) {
	var names []string
	var q string
	if d.Dialect == SQLite {
		q = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name`
	} else {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	rows, err := d.r.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		if n == "schema_migrations" || isShadow(n) {
			continue
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	deps := map[string][]string{}
	for _, t := range names {
		refs, err := d.references(ctx, t)
		if err != nil {
			return nil, err
		}
		deps[t] = refs
	}
	return topoSort(names, deps), nil
}

// isShadow reports FTS5's shadow tables (x_data, x_idx...), which SQLite
// rebuilds itself and a backup must not carry.
func isShadow(name string) bool {
	for _, suf := range []string{"_data", "_idx", "_content", "_docsize", "_config"} {
		if strings.HasSuffix(name, "_fts"+suf) {
			return true
		}
	}
	return false
}

func (d *DB) references(ctx context.Context, table string) ([]string, error) {
	var rows interface {
		Next() bool
		Scan(...any) error
		Close() error
		Err() error
	}
	var err error
	if d.Dialect == SQLite {
		rows, err = d.r.QueryContext(ctx, `SELECT "table" FROM pragma_foreign_key_list(?)`, table)
	} else {
		rows, err = d.r.QueryContext(ctx, `SELECT ccu.table_name FROM information_schema.table_constraints tc
			JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
			WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_name = $1 AND tc.table_schema = current_schema()`, table)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, err
		}
		if r != table {
			out = append(out, r)
		}
	}
	return out, rows.Err()
}

func topoSort(names []string, deps map[string][]string) []string {
	var out []string
	state := map[string]int{}
	var visit func(string)
	visit = func(n string) {
		if state[n] != 0 {
			return
		}
		state[n] = 1
		for _, m := range deps[n] {
			visit(m)
		}
		state[n] = 2
		out = append(out, n)
	}
	for _, n := range names {
		visit(n)
	}
	return out
}
