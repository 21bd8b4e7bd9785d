package importer

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// ReadCSV reads a CSV file that starts with a header row and calls fn with
// each further row as a map from column name to trimmed value, and the
// row's line number in the file (the header is line 1), which is what
// RowError.Row reports. Columns named in required must be in the header; a
// row may be shorter or longer than the header. Errors do not repeat the
// path: callers that read several files add it.
func ReadCSV(path string, required []string, fn func(row int, rec map[string]string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("no header row: %w", err)
	}
	idx := make(map[string]int, len(header))
	for i, h := range header {
		header[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		idx[header[i]] = i
	}
	for _, c := range required {
		if _, ok := idx[c]; !ok {
			return fmt.Errorf("column %q is missing (have %s)", c, strings.Join(header, ", "))
		}
	}
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		m := make(map[string]string, len(header))
		for i, h := range header {
			if i < len(rec) {
				m[h] = strings.TrimSpace(rec[i])
			}
		}
		if err := fn(row, m); err != nil {
			return err
		}
	}
}
