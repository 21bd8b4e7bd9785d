// Package sensitivity holds the four levels every record carries (public,
// partners, internal, confidential) and the one rule that decides who may
// see what. Reports, exports, exchange bundles and pages all ask this package
// rather than comparing levels themselves, so that the rule lives in one place.
package sensitivity

import (
	"fmt"
	"strings"
)

// Level orders how widely a record may be seen; higher is narrower.
type Level int

const (
	Public       Level = 1 // may appear in a published report
	Partners     Level = 2 // may go to partner institutions
	Internal     Level = 3 // the institution's own staff
	Confidential Level = 4 // named staff roles only; reads are audited
)

var names = map[Level]string{Public: "public", Partners: "partners", Internal: "internal", Confidential: "confidential"}

// All lists the levels from widest to narrowest.
var All = []Level{Public, Partners, Internal, Confidential}

func (l Level) String() string {
	if n, ok := names[l]; ok {
		return n
	}
	return fmt.Sprintf("level(%d)", int(l))
}

// Valid reports whether l is one of the four levels.
func (l Level) Valid() bool { _, ok := names[l]; return ok }

// Parse reads a level name, case-insensitively.
func Parse(s string) (Level, error) {
	for l, n := range names {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return l, nil
		}
	}
	return 0, fmt.Errorf("unknown sensitivity %q: want public, partners, internal or confidential", s)
}

// Allows reports whether an audience cleared up to max may see a record at
// level l. An invalid level is never allowed: unknown means hidden.
func Allows(max, l Level) bool { return l.Valid() && max.Valid() && l <= max }

// Filter keeps the items whose level the audience may see.
func Filter[T any](max Level, items []T, level func(T) Level) []T {
	out := items[:0:0]
	for _, it := range items {
		if Allows(max, level(it)) {
			out = append(out, it)
		}
	}
	return out
}

// Redacted is what a reader sees in place of a field above their level.
const Redacted = "[withheld]"

// Field returns v when the audience may see a field at level l, and the
// redaction marker otherwise.
func Field(max, l Level, v string) string {
	if Allows(max, l) {
		return v
	}
	return Redacted
}
