package importer

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"vigil/db"
)

// Kind is one thing "vigil import" can read, e.g. "people" or "incidents".
type Kind struct {
	Name    string // the word after "vigil import"
	Summary string // one line for "vigil import --help"; say which file format
	// Run imports files into d; ctx carries an Env (EnvFrom) with the
	// institution, the actor, the audit log and the key ring. It returns
	// what it did even when it also
	// returns an error, so the counts say what was committed before the
	// failure. Rows it rejects go in the Result, not in the error.
	Run func(ctx context.Context, d *db.DB, files []string, p *Progress) (Result, error)
}

var (
	kindsMu sync.Mutex
	kinds   = map[string]Kind{}
)

// Register adds an import kind; domain packages call it from init. It
// panics on an empty name, a missing Run or a name taken twice, which are
// programming errors.
func Register(k Kind) {
	if k.Name == "" || k.Run == nil {
		panic(fmt.Sprintf("importer.Register: kind %q needs a name and a Run", k.Name))
	}
	kindsMu.Lock()
	defer kindsMu.Unlock()
	if _, dup := kinds[k.Name]; dup {
		panic("importer.Register: kind " + k.Name + " registered twice")
	}
	kinds[k.Name] = k
}

// Kinds lists the registered kinds by name.
func Kinds() []Kind {
	kindsMu.Lock()
	defer kindsMu.Unlock()
	out := make([]Kind, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup finds a kind by name.
func Lookup(name string) (Kind, bool) {
	kindsMu.Lock()
	defer kindsMu.Unlock()
	k, ok := kinds[name]
	return k, ok
}
