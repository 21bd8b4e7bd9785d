package importer

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

func testProgress(w io.Writer) (*Progress, *time.Time) {
	now := time.Unix(0, 0)
	return &Progress{w: w, label: "import people", now: func() time.Time { return now }}, &now
}

func TestProgressKnownTotal(t *testing.T) {
	var buf bytes.Buffer
	p, now := testProgress(&buf)
	p.SetTotal(200)
	buf.Reset()
	p.Add(50)
	if buf.Len() != 0 {
		t.Fatalf("redrew within the throttle interval: %q", buf.String())
	}
	*now = now.Add(time.Second)
	p.Add(50)
	want := "\rimport people [===============>              ]  50%  100/200"
	if buf.String() != want {
		t.Fatalf("got %q\nwant %q", buf.String(), want)
	}
	buf.Reset()
	p.Add(100) // the end is drawn at once
	if !strings.Contains(buf.String(), "100%  200/200") {
		t.Fatalf("finish not drawn: %q", buf.String())
	}
	buf.Reset()
	p.Done()
	if got := buf.String(); got != "\r"+strings.Repeat(" ", len(want)-1)+"\r" {
		t.Fatalf("Done wrote %q", got)
	}
}

func TestProgressUnknownTotal(t *testing.T) {
	var buf bytes.Buffer
	p, now := testProgress(&buf)
	*now = now.Add(time.Second)
	p.Add(1234)
	if buf.String() != "\rimport people  1234" {
		t.Fatalf("got %q", buf.String())
	}
}

func TestProgressReader(t *testing.T) {
	var buf bytes.Buffer
	p, _ := testProgress(&buf)
	p.SetTotal(11)
	if _, err := io.ReadAll(p.Reader(strings.NewReader("hello world"))); err != nil {
		t.Fatal(err)
	}
	if p.done != 11 || !strings.Contains(buf.String(), "11/11") {
		t.Fatalf("done %d, drawn %q", p.done, buf.String())
	}
}

func TestProgressSilentAndNil(t *testing.T) {
	p := &Progress{now: time.Now} // no writer: not a terminal
	p.SetTotal(10)
	p.Add(10)
	p.Done()
	var nilP *Progress
	nilP.SetLabel("x")
	nilP.SetTotal(1)
	nilP.Add(1)
	nilP.Done()
	if r := nilP.Reader(strings.NewReader("x")); r == nil {
		t.Fatal("nil progress lost the reader")
	}
}

// Under go test standard error is not a terminal, so the real constructor
// must stay silent.
func TestNewProgressSilentWhenNotTerminal(t *testing.T) {
	if isTerminal(os.Stderr) {
		t.Skip("standard error is a terminal here")
	}
	if NewProgress("x").w != nil {
		t.Fatal("would draw on a non-terminal")
	}
}

// Work done over from the start (a db.Write function run a second time)
// counts from zero again instead of running past the total.
func TestProgressRestart(t *testing.T) {
	var buf bytes.Buffer
	p, _ := testProgress(&buf)
	p.SetTotal(10)
	p.Add(6)
	buf.Reset()
	p.Restart()
	if !strings.Contains(buf.String(), "   0%  0/10") {
		t.Fatalf("restart drew %q", buf.String())
	}
	p.Add(10)
	if !strings.Contains(buf.String(), "100%  10/10") || strings.Contains(buf.String(), "16/10") {
		t.Fatalf("after restart: %q", buf.String())
	}
	var nilP *Progress
	nilP.Restart() // silent imports pass no bar
}
