package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// keysOf decodes one JSON object and returns its member names, failing if
// anything but a single object and a newline was written.
func keysOf(t *testing.T, out string) map[string]json.RawMessage {
	t.Helper()
	if !strings.HasSuffix(out, "}\n") || strings.Count(out, "\n") != 1 {
		t.Fatalf("want one JSON object and a newline, got %q", out)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%v in %q", err, out)
	}
	return m
}

func names(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestJSONShapeEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := Report(&buf, Result{Unchanged: 4}, true); err != nil {
		t.Fatal(err)
	}
	m := keysOf(t, buf.String())
	if got := names(m); !reflect.DeepEqual(got, []string{"errors", "inserted", "rejected", "unchanged", "updated"}) {
		t.Fatalf("members %v", got)
	}
	if string(m["errors"]) != "[]" {
		t.Fatalf(`errors = %s, want []`, m["errors"])
	}
	if buf.String() != `{"inserted":0,"updated":0,"unchanged":4,"rejected":0,"errors":[]}`+"\n" {
		t.Fatalf("output %q", buf.String())
	}
	// The same through plain json.Marshal, as another command might use it.
	b, _ := json.Marshal(Result{})
	if !strings.Contains(string(b), `"errors":[]`) {
		t.Fatalf("json.Marshal(Result{}) = %s", b)
	}
}

func TestJSONShapeWithErrors(t *testing.T) {
	var r Result
	r.Inserted, r.Updated, r.Unchanged = 3, 1, 10
	r.Reject(5, "country", "unknown country name 'Xyz'")
	r.Reject(9, "date", "not a date: %q", "31/02/2024")
	r.Problem(9, "name", "empty")
	var buf bytes.Buffer
	if err := Report(&buf, r, true); err != nil {
		t.Fatal(err)
	}
	m := keysOf(t, buf.String())
	var errs []map[string]any
	if err := json.Unmarshal(m["errors"], &errs); err != nil {
		t.Fatal(err)
	}
	if len(errs) != 3 || string(m["rejected"]) != "2" {
		t.Fatalf("rejected %s, errors %v", m["rejected"], errs)
	}
	for _, e := range errs {
		if got := names(toRaw(e)); !reflect.DeepEqual(got, []string{"field", "message", "row"}) {
			t.Fatalf("error members %v", got)
		}
	}
	if errs[0]["row"] != 5.0 || errs[0]["field"] != "country" || errs[0]["message"] != "unknown country name 'Xyz'" {
		t.Fatalf("first error %v", errs[0])
	}
}

func toRaw(m map[string]any) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for k := range m {
		out[k] = nil
	}
	return out
}

func TestJSONFailure(t *testing.T) {
	var buf bytes.Buffer
	if err := ReportError(&buf, Result{Inserted: 2}, errors.New("database is locked"), true); err != nil {
		t.Fatal(err)
	}
	m := keysOf(t, buf.String())
	if string(m["error"]) != `"database is locked"` || string(m["inserted"]) != "2" || string(m["errors"]) != "[]" {
		t.Fatalf("output %s", buf.String())
	}
}

func TestReportText(t *testing.T) {
	var r Result
	r.Inserted, r.Updated, r.Unchanged = 3, 1, 10
	r.Reject(5, "country", "unknown country name 'Xyz'")
	r.Reject(7, "", "duplicate of row 4")
	r.Problem(0, "country", "column missing")
	r.Reject(8, "name", "bad \x1b[31mred\x1b[0m \u202ename")
	var buf bytes.Buffer
	if err := Report(&buf, r, false); err != nil {
		t.Fatal(err)
	}
	want := "inserted 3, updated 1, unchanged 10, rejected 3\n" +
		"row 5, field country: unknown country name 'Xyz'\n" +
		"row 7: duplicate of row 4\n" +
		"field country: column missing\n" +
		"row 8, field name: bad \\x1b[31mred\\x1b[0m \\u202ename\n"
	if buf.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", buf.String(), want)
	}

	buf.Reset()
	ReportError(&buf, Result{}, errors.New("x"), false)
	if buf.Len() != 0 {
		t.Fatalf("failure with nothing done printed %q", buf.String())
	}
	ReportError(&buf, Result{Inserted: 1}, errors.New("x"), false)
	if buf.String() != "inserted 1, updated 0, unchanged 0, rejected 0\n" {
		t.Fatalf("failure after work printed %q", buf.String())
	}
}

func TestAddNamesFiles(t *testing.T) {
	var total, a, b Result
	a.Inserted = 2
	a.Reject(3, "name", "empty")
	b.Updated = 1
	b.Reject(3, "name", "empty")
	total.Add("north.csv", a)
	total.Add("south.csv", b)
	if total.Inserted != 2 || total.Updated != 1 || total.Rejected != 2 ||
		total.Errors[0].Message != "north.csv: empty" || total.Errors[1].Message != "south.csv: empty" {
		t.Fatalf("%+v", total)
	}
}
