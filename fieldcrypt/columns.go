package fieldcrypt

import (
	"fmt"
	"regexp"
	"sort"
	"sync"
)

// Column names one encrypted column for Rotate. Table and Field are also the
// table and field names bound into each value's associated data, so they
// must match what the owning package passes to Encrypt and Decrypt.
type Column struct {
	Table             string // e.g. "users"
	IDColumn          string // the record id passed to Encrypt, e.g. "id"
	InstitutionColumn string // the institution passed to Encrypt, e.g. "institution_id"
	Column            string // the column holding the ciphertext
	Field             string // the field name passed to Encrypt; defaults to Column
}

func (c Column) String() string { return c.Table + "." + c.Column }

var (
	registryMu sync.Mutex
	registry   = map[string]Column{}
	identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
)

// Register adds an encrypted column, normally from the init function of the
// package that owns the table. A column left out of the registry keeps
// values under old keys after a rotation, and those stop decrypting once the
// old key is removed. Register panics on a malformed or repeated column,
// which is a programming error.
func Register(c Column) {
	if c.Field == "" {
		c.Field = c.Column
	}
	for _, name := range []string{c.Table, c.IDColumn, c.InstitutionColumn, c.Column} {
		// The names are spliced into SQL, so only plain identifiers pass.
		if !identifier.MatchString(name) {
			panic(fmt.Sprintf("fieldcrypt.Register(%+v): %q is not a plain SQL identifier", c, name))
		}
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[c.String()]; dup {
		panic("fieldcrypt.Register: " + c.String() + " registered twice")
	}
	registry[c.String()] = c
}

// Columns lists the registered encrypted columns, sorted by table and column.
func Columns() []Column {
	registryMu.Lock()
	defer registryMu.Unlock()
	out := make([]Column, 0, len(registry))
	for _, c := range registry {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func init() {
	// The one encrypted column of the core schema (0001_core.sql); package
	// access seals it. Domain packages register their own.
	Register(Column{Table: "users", IDColumn: "id", InstitutionColumn: "institution_id", Column: "totp_secret", Field: "totp_secret"})
}
