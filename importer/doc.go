// Package importer holds the one convention every "vigil import KIND FILE..."
// command follows, so that an operator learns it once and a script can rely
// on it: the counts and row errors an import reports (Result), how they are
// printed (Report), the progress bar (Progress) and the registry of import
// kinds (Register) that the command dispatches to.
//
// What belongs here is only that shared frame. Parsing a kind's files and
// writing its records belong in the domain package that owns those records,
// which registers a Kind from its init function.
//
// # The convention
//
// Valid rows are imported and invalid rows are rejected one by one, each with
// an error naming its row and field; one bad row does not stop the rest.
// Imports are idempotent: every kind matches rows to existing records by a
// stable key, so running the same file twice reports everything "unchanged"
// the second time, and a file corrected after a rejection can simply be run
// again.
//
// Row numbers are those a spreadsheet shows for the file: the header line is
// row 1 and the first record row 2. Row 0 means the file as a whole (a
// missing column, say). When one command reads several files, the message
// begins with the file's name (Result.Add does that). Messages go to the
// operator who holds the file and may quote the offending value; kinds never
// log them, since logs travel further than the file.
//
// # Output and exit status
//
// With --json, standard output carries exactly one JSON object — the Result,
// plus an "error" member when the import failed — and nothing else, whatever
// the outcome; the progress bar and messages go to standard error. Without
// it, a short summary and one line per row error go to standard output.
//
// The exit status is 0 when every row was accepted. It is 1 when any row was
// rejected (the other rows are still imported and the result is still
// printed), so that a script notices without parsing the output; and 1 when
// the import failed as a whole, in which case the counts say what had
// already been committed. It is 2 for a mistake in the command line itself,
// which is reported on standard error only, before anything is read.
package importer
