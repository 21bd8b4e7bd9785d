package importer

import (
	"encoding/json"
	"fmt"
)

// Result is what an import did. Its JSON form is the stable interface for
// scripts: {"inserted": N, "updated": N, "unchanged": N, "rejected": N,
// "errors": [{"row": R, "field": F, "message": M}]}.
type Result struct {
	Inserted  int        `json:"inserted"`
	Updated   int        `json:"updated"`
	Unchanged int        `json:"unchanged"`
	Rejected  int        `json:"rejected"` // rows, not errors: a row may have several
	Errors    []RowError `json:"errors"`
}

// RowError is one reason a row was rejected.
type RowError struct {
	Row     int    `json:"row"`   // as a spreadsheet numbers it; 0 for the whole file
	Field   string `json:"field"` // the column, or "" when no single one is at fault
	Message string `json:"message"`
}

func (e RowError) String() string {
	switch {
	case e.Row > 0 && e.Field != "":
		return fmt.Sprintf("row %d, field %s: %s", e.Row, e.Field, e.Message)
	case e.Row > 0:
		return fmt.Sprintf("row %d: %s", e.Row, e.Message)
	case e.Field != "":
		return fmt.Sprintf("field %s: %s", e.Field, e.Message)
	default:
		return e.Message
	}
}

// Reject counts one rejected row with its first error. A row with several
// problems gets one Reject and then Problem for each further one.
func (r *Result) Reject(row int, field, format string, args ...any) {
	r.Rejected++
	r.Problem(row, field, format, args...)
}

// Problem records a further error on a row already counted by Reject, or a
// file-level error (row 0).
func (r *Result) Problem(row int, field, format string, args ...any) {
	r.Errors = append(r.Errors, RowError{Row: row, Field: field, Message: fmt.Sprintf(format, args...)})
}

// What an upsert did to one record; store functions of every part return
// one of these so that Count can tally them.
const (
	Inserted  = "inserted"
	Updated   = "updated"
	Unchanged = "unchanged"
)

// Count tallies one record by what the upsert did to it.
func (r *Result) Count(outcome string) {
	switch outcome {
	case Inserted:
		r.Inserted++
	case Updated:
		r.Updated++
	default:
		r.Unchanged++
	}
}

// Add folds the result of one file into the result of the whole command.
// When the command was given several files, pass the file's name: it is put
// before each of o's messages, since row numbers alone would be ambiguous.
func (r *Result) Add(file string, o Result) {
	r.Inserted += o.Inserted
	r.Updated += o.Updated
	r.Unchanged += o.Unchanged
	r.Rejected += o.Rejected
	for _, e := range o.Errors {
		if file != "" {
			e.Message = file + ": " + e.Message
		}
		r.Errors = append(r.Errors, e)
	}
}

// output is the JSON object on standard output: the result, and the error
// that stopped the import if one did.
type output struct {
	Inserted  int        `json:"inserted"`
	Updated   int        `json:"updated"`
	Unchanged int        `json:"unchanged"`
	Rejected  int        `json:"rejected"`
	Errors    []RowError `json:"errors"`
	Error     string     `json:"error,omitempty"`
}

func (r Result) output() output {
	o := output{Inserted: r.Inserted, Updated: r.Updated, Unchanged: r.Unchanged, Rejected: r.Rejected, Errors: r.Errors}
	if o.Errors == nil {
		o.Errors = []RowError{} // [] rather than null, so scripts can iterate without a check
	}
	return o
}

// MarshalJSON writes errors as [] rather than null when there are none.
func (r Result) MarshalJSON() ([]byte, error) { return json.Marshal(r.output()) }
