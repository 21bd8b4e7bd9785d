package backup

import (
	"context"
	"slices"
	"time"

	"vigil/db"
)

// Content reads every table of d within one snapshot: table name to rows,
// each row's values in column order and rows in the order a backup lists
// them. Values have the types a backup carries (int64, float64, string,
// []byte, bool, time.Time or nil), with empty byte slices non-nil and times
// in UTC, so reflect.DeepEqual tells whether two stores of either kind hold
// the same content. It is meant for tests and checks on small stores: it
// holds everything in memory.
func Content(ctx context.Context, d *db.DB) (map[string][][]any, error) {
	out := map[string][][]any{}
	var name string
	err := dump(ctx, d, visitor{
		table: func(n string, _ []string) error {
			name = n
			out[n] = [][]any{}
			return nil
		},
		row: func(vals []any) error {
			row := slices.Clone(vals)
			for i, v := range row {
				switch x := v.(type) {
				case []byte:
					if x == nil {
						row[i] = []byte{}
					}
				case time.Time:
					row[i] = x.UTC()
				}
			}
			out[name] = append(out[name], row)
			return nil
		},
		done: func(string, int64) error { return nil },
	})
	return out, err
}
