package incident

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
)

// csvRecords reads all of data with encoding/csv as the importer used to
// (FieldsPerRecord = -1), or with csvReader, and lists each record or
// error as text.
func csvRecords(data []byte, ours bool, piece int) []string {
	var out []string
	add := func(rec []string, err error) bool {
		if err == io.EOF {
			return false
		}
		out = append(out, fmt.Sprintf("%q %v", rec, err))
		_, parse := err.(*csv.ParseError)
		return err == nil || parse
	}
	if ours {
		// piece 0: the importer's buffer; 1: one byte per read into a
		// one-byte buffer (grown line by line); more: a buffer that small.
		var src io.Reader = bytes.NewReader(data)
		size := 256 << 10
		if piece == 1 {
			src = iotest.OneByteReader(src)
		}
		if piece > 0 {
			size = piece
		}
		r := newCSVReader(src, size)
		for {
			fields, err := r.Read()
			rec := make([]string, len(fields))
			for i, f := range fields {
				rec[i] = string(f)
			}
			if err != nil {
				rec = nil // what the importer looks at on an error: nothing
			}
			if !add(rec, err) {
				return out
			}
		}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	for {
		rec, err := r.Read()
		if err != nil {
			rec = nil
		}
		if !add(append([]string(nil), rec...), err) {
			return out
		}
	}
}

var csvCases = []string{
	"",
	"\n",
	"a,b,c\n",
	"a,b,c",
	"a,b,c\r\n1,2,3\r\n",
	"a,b\r",
	"\ufeffid,name\n1,x\n",
	"a,\"b,c\",d\n",
	"a,\"b\"\"c\",d\n",
	"a,\"multi\nline\r\nfield\",d\ne,f,g\n",
	"a,\"unterminated\n",
	"a,\"unterminated",
	"a,b\"c,d\ne,f\n",
	"a,\"b\"c,d\ne,f\n",
	"a,\"b\"\n",
	"a,\"b\"",
	"\n\n\na\n\n\nb\n",
	"\r\n\r\na,b\r\n",
	",,,\n",
	"\"\"\n",
	"\"\",\"\"\n",
	"a,\"\"\"\",b\n",
	"x\ry,z\n",
	"\"a\rb\",c\n",
	"\"a\"\r\n",
	"a,\"b\n\nc\"\n",
	"é,\"ü\",ñ\n",
	"a,\"b\"é\n",
	"\"",
	"\"\n",
	"a\"",
}

// TestCSVReaderMatchesEncodingCSV reads tricky inputs and the real UCDP
// sample with both readers, whole and in one-byte pieces.
func TestCSVReaderMatchesEncodingCSV(t *testing.T) {
	inputs := append([]string(nil), csvCases...)
	if b, err := os.ReadFile(gedSample); err == nil {
		inputs = append(inputs, string(b))
	} else {
		t.Logf("UCDP GED sample not read: %v", err)
	}
	for _, in := range inputs {
		want := csvRecords([]byte(in), false, 0)
		for _, piece := range []int{0, 1, 7} {
			got := csvRecords([]byte(in), true, piece)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("input %.200q, pieces of %d:\n got  %.500q\n want %.500q", in, piece, got, want)
			}
		}
	}
}

func FuzzCSVReader(f *testing.F) {
	for _, c := range csvCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want := strings.Join(csvRecords(data, false, 0), "\n")
		for _, piece := range []int{0, 1, 5} {
			if got := strings.Join(csvRecords(data, true, piece), "\n"); got != want {
				t.Fatalf("input %q, pieces of %d:\n got  %s\n want %s", data, piece, got, want)
			}
		}
	})
}

// BenchmarkCSVRead reads the UCDP sample, repeated to some 30 MB, with
// encoding/csv (as the importer used to, with its 256 KB buffer) and with
// csvReader.
func BenchmarkCSVRead(b *testing.B) {
	sample, err := os.ReadFile(gedSample)
	if err != nil {
		b.Skip(err)
	}
	header := bytes.IndexByte(sample, '\n') + 1
	data := append([]byte(nil), sample...)
	for len(data) < 30<<20 {
		data = append(data, sample[header:]...)
	}
	b.Run("encoding-csv", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			r := csv.NewReader(bufio.NewReaderSize(bytes.NewReader(data), 256<<10))
			r.ReuseRecord, r.FieldsPerRecord = true, -1
			for {
				if _, err := r.Read(); err != nil {
					break
				}
			}
		}
	})
	b.Run("csvReader", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			r := newCSVReader(bytes.NewReader(data), 256<<10)
			for {
				if _, err := r.Read(); err != nil {
					break
				}
			}
		}
	})
}
