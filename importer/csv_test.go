package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadCSV(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f.csv")
	os.WriteFile(p, []byte("\ufeffname , code\n Alpha ,A1\nBeta\n"), 0o600)
	var rows []int
	var names []string
	err := ReadCSV(p, []string{"name", "code"}, func(row int, rec map[string]string) error {
		rows = append(rows, row)
		names = append(names, rec["name"]+"/"+rec["code"])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0] != 2 || rows[1] != 3 || names[0] != "Alpha/A1" || names[1] != "Beta/" {
		t.Fatalf("rows %v names %v", rows, names)
	}
	err = ReadCSV(p, []string{"region"}, func(int, map[string]string) error { return nil })
	if err == nil || !strings.Contains(err.Error(), `"region" is missing`) {
		t.Fatalf("missing column: %v", err)
	}
}

func TestCount(t *testing.T) {
	var r Result
	for _, o := range []string{Inserted, Updated, Unchanged, Inserted} {
		r.Count(o)
	}
	if r.Inserted != 2 || r.Updated != 1 || r.Unchanged != 1 {
		t.Fatalf("%+v", r)
	}
}
