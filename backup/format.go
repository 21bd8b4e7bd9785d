package backup

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"vigil/db"
)

const (
	formatName    = "vigil-backup"
	formatVersion = 1
)

// Errors a refused file or store is reported with; the message adds detail
// after a colon. They let callers and tests tell the causes apart.
var (
	ErrNotBackup = errors.New("not a Vigil backup")
	ErrDamaged   = errors.New("backup is damaged")
	ErrTruncated = errors.New("backup is truncated")
	ErrTooNew    = errors.New("backup is too new")
	ErrNotEmpty  = errors.New("the store is not empty")
	ErrMismatch  = errors.New("backup does not fit this store")
)

type header struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	Schema  int    `json:"schema"`
	Created string `json:"created"`
	Dialect string `json:"dialect"`
}

type tableLine struct {
	Table   string   `json:"table"`
	Columns []string `json:"columns"`
}

type trailer struct {
	End    bool   `json:"end"`
	Tables int    `json:"tables"`
	Rows   int64  `json:"rows"`
	SHA256 string `json:"sha256"`
}

// Summary describes a backup: the one written, checked or restored.
type Summary struct {
	Schema  int        // schema version the backup was made at
	Dialect db.Dialect // kind of store it was made from
	Created time.Time  // when it was made
	Tables  []Table    // in file order
	Rows    int64      // rows in all tables
	SHA256  string     // hex checksum from the trailer
}

// Table is one table of a backup.
type Table struct {
	Name    string
	Columns []string
	Rows    int64
}

// Progress, when not nil, is told how many rows of table have been copied so
// far: now and then while it is copied, and once with done set at its end.
type Progress func(table string, rows int64, done bool)

// appendRow appends a row line: vals as a JSON array, then a newline. cols
// name the values in errors.
func appendRow(b []byte, vals []any, cols []string) ([]byte, error) {
	b = append(b, '[')
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendValue(b, v); err != nil {
			return b, fmt.Errorf("column %s: %w", cols[i], err)
		}
	}
	return append(b, ']', '\n'), nil
}

// appendValue appends v, as read from either store, in the file's JSON form.
func appendValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case float64:
		b = append(b, `{"f":"`...)
		b = strconv.AppendFloat(b, x, 'g', -1, 64)
		return append(b, `"}`...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case string:
		if !utf8.ValidString(x) {
			// JSON would silently turn the bad bytes into U+FFFD.
			return appendB64(b, "s64", []byte(x)), nil
		}
		return appendString(b, x), nil
	case []byte:
		return appendB64(b, "b64", x), nil
	case time.Time:
		b = append(b, `{"t":"`...)
		b = x.AppendFormat(b, time.RFC3339Nano)
		return append(b, `"}`...), nil
	}
	return b, fmt.Errorf("value of type %T has no form in a backup", v)
}

func appendB64(b []byte, key string, p []byte) []byte {
	b = append(b, `{"`...)
	b = append(b, key...)
	b = append(b, `":"`...)
	b = base64.StdEncoding.AppendEncode(b, p)
	return append(b, `"}`...)
}

// appendString writes valid UTF-8 s as a JSON string. It escapes only what
// JSON requires (unlike encoding/json, which also escapes <, > and &), so
// text in the file reads as it is stored, Arabic and Cyrillic included.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
