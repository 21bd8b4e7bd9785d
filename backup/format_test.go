package backup

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// Every value either store hands over must come back with the same type
// and value, through text that is valid JSON.
func TestValuesSurviveTheFormat(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 30, 0, 123456789, time.UTC)
	in := []any{
		nil, int64(0), int64(-1), int64(math.MaxInt64), int64(math.MinInt64),
		1.0, -0.5, 0.1, 1e300, -2.5e-300, math.Inf(1), math.Inf(-1), math.MaxFloat64,
		"", "plain", "اللجنة", "Комиссия", "\x00\x01\x1f\x7f", "\"\\/\n\r\t", "<&> \u2028\u2029", "🕊️",
		"not utf-8: \xff\xfe", []byte{}, []byte{0, 1, 2, 255}, []byte("text"),
		true, false, at,
	}
	line, err := appendRow(nil, in, names(len(in)))
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(line) {
		t.Fatalf("not JSON: %s", line)
	}
	out, err := decodeRow(line, len(in))
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if !reflect.DeepEqual(out[i], in[i]) {
			t.Errorf("value %d: %#v (%T) came back as %#v (%T)", i, in[i], in[i], out[i], out[i])
		}
	}
	nan, err := decodeRow(mustRow(t, []any{math.NaN()}), 1)
	if err != nil || !math.IsNaN(nan[0].(float64)) {
		t.Errorf("NaN came back as %v, %v", nan, err)
	}
}

func TestUnknownValueTypeIsAnError(t *testing.T) {
	if _, err := appendRow(nil, []any{int32(1)}, names(1)); err == nil {
		t.Fatal("int32 accepted")
	}
}

func TestMalformedRows(t *testing.T) {
	for _, line := range []string{
		`[1, 2]`,         // too few
		`[1.5]`,          // bare float: integers only
		`[1e3]`,          // exponent form is not an integer either
		`[{"b64":"!!"}]`, // bad base64
		`[{"f":"x"}]`,    // bad float
		`[{"q":"1"}]`,    // unknown kind
		`[{"b64":1}]`,    // not a string
		`[{"f":"1","t":"2"}]`,
		`[[1]]`,
		`[1] [2]`,
		`{"a":1}`,
	} {
		if _, err := decodeRow([]byte(line), 1); err == nil {
			t.Errorf("%s accepted", line)
		}
	}
}

func mustRow(t *testing.T, vals []any) []byte {
	t.Helper()
	b, err := appendRow(nil, vals, names(len(vals)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func names(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint("c", i+1)
	}
	return out
}

// The row parser must read what any JSON encoder writes for the values it
// accepts, escapes and all, as encoding/json reads it.
func TestRowParserAgreesWithEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("aZ09 \"\\/\b\f\n\r\t\x00\x01\x1f\x7f<>&\u2028\u2029éДع🕊\U0010FFFF")
	for range 2000 {
		row := make([]any, 1+r.IntN(6))
		for i := range row {
			switch r.IntN(4) {
			case 0:
				row[i] = r.Int64() - r.Int64()
			case 1:
				row[i] = nil
			case 2:
				row[i] = r.IntN(2) == 0
			default:
				s := make([]rune, r.IntN(20))
				for j := range s {
					s[j] = alphabet[r.IntN(len(alphabet))]
				}
				row[i] = string(s)
			}
		}
		std, _ := json.Marshal(row) // escapes <, >, &, U+2028 as \u00XX
		ours := mustRow(t, row)
		for _, line := range [][]byte{std, ours} {
			got, err := decodeRow(line, len(row))
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			if !reflect.DeepEqual(got, row) {
				t.Fatalf("%s: got %#v, want %#v", line, got, row)
			}
		}
	}
}

func TestRowParserRejects(t *testing.T) {
	for _, line := range []string{
		``, `[`, `[1`, `[1,]`, `[,1]`, `[01]`, `[-]`, `[1 2]`, `["a]`, `["\x"]`, `["\u12"]`,
		`["\ud800"]`, `["\udc00\ud800"]`, "[\"\xff\"]", "[\"a\x01\"]", `[nul]`, `[True]`,
		`[{"f":1}]`, `[{"f":"1"]`, `[{"f" "1"}]`, `[99999999999999999999]`,
	} {
		if v, err := decodeRow([]byte(line), 1); err == nil {
			t.Errorf("%q accepted as %#v", line, v)
		}
	}
}
