package importer

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// Report prints r to w (standard output): one JSON object and a newline
// when asJSON, otherwise a summary line and one line per row error.
func Report(w io.Writer, r Result, asJSON bool) error {
	if asJSON {
		return writeJSON(w, r.output())
	}
	return writeText(w, r)
}

// ReportError prints the outcome of an import that failed with err after
// doing r. With asJSON it is Report's object plus an "error" member, so
// standard output still holds exactly one object. Without it only the
// counts are printed, and only if anything was done: the command prints
// err itself on standard error.
func ReportError(w io.Writer, r Result, err error, asJSON bool) error {
	if asJSON {
		o := r.output()
		o.Error = err.Error()
		return writeJSON(w, o)
	}
	if r.Inserted+r.Updated+r.Unchanged+r.Rejected+len(r.Errors) == 0 {
		return nil
	}
	return writeText(w, r)
}

func writeJSON(w io.Writer, o output) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // names with & or < stay readable
	return enc.Encode(o)
}

func writeText(w io.Writer, r Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "inserted %d, updated %d, unchanged %d, rejected %d\n", r.Inserted, r.Updated, r.Unchanged, r.Rejected)
	for _, e := range r.Errors {
		b.WriteString(printable(e.String()))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// printable escapes control and bidi-override characters: messages quote
// values from the imported file, and a crafted value must not be able to
// move the cursor, recolour the operator's terminal or reverse the text
// around it.
func printable(s string) string {
	if strings.IndexFunc(s, unsafeRune) < 0 {
		return s
	}
	var b strings.Builder
	for _, c := range s {
		switch {
		case !unsafeRune(c):
			b.WriteRune(c)
		case c <= 0xff:
			fmt.Fprintf(&b, "\\x%02x", c)
		default:
			fmt.Fprintf(&b, "\\u%04x", c)
		}
	}
	return b.String()
}

func unsafeRune(c rune) bool { return unicode.IsControl(c) || unicode.Is(unicode.Bidi_Control, c) }
