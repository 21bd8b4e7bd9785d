package importer

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// redrawEvery throttles the bar: redrawing on every row would make a fast
// import spend its time writing to the terminal.
const redrawEvery = 100 * time.Millisecond

const barWidth = 30

// Progress draws a one-line progress bar on standard error when standard
// error is a terminal, and does nothing otherwise, so that logs and pipes
// stay clean. The total may be unknown (0), in which case it shows a count.
// It is safe for concurrent use, and all methods do nothing on a nil
// *Progress, so kinds need not check.
type Progress struct {
	mu    sync.Mutex
	w     io.Writer // nil when silent
	label string
	total int
	done  int
	last  time.Time // last redraw
	drawn int       // length of the line on screen, to blank it
	now   func() time.Time
}

// NewProgress returns a bar labelled label, drawn on standard error only if
// that is a terminal.
func NewProgress(label string) *Progress {
	p := &Progress{label: label, now: time.Now}
	if isTerminal(os.Stderr) {
		p.w = os.Stderr
	}
	return p
}

// isTerminal tells a terminal from a file or pipe without a dependency: a
// terminal is a character device. (So is /dev/null, where drawing is
// harmless.)
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// SetLabel changes the text before the bar, e.g. to the file being read.
func (p *Progress) SetLabel(label string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.label = label
	p.draw(true)
}

// SetTotal sets the amount of work (rows, or bytes with Reader); 0 means
// unknown.
func (p *Progress) SetTotal(total int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total = total
	p.draw(false)
}

// Restart counts from nothing again, keeping the total: for work that is
// done over from the start, as a db.Write function may be.
func (p *Progress) Restart() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = 0
	p.draw(true)
}

// Add records n more units done.
func (p *Progress) Add(n int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	before := p.done
	p.done += n
	p.draw(p.total > 0 && before < p.total && p.done >= p.total) // always show the finish
}

// Reader returns r counting every byte read as done, for kinds that set the
// total to the file's size.
func (p *Progress) Reader(r io.Reader) io.Reader {
	if p == nil {
		return r
	}
	return progressReader{r, p}
}

type progressReader struct {
	r io.Reader
	p *Progress
}

func (pr progressReader) Read(b []byte) (int, error) {
	n, err := pr.r.Read(b)
	pr.p.Add(n)
	return n, err
}

// Done erases the bar, leaving the terminal as it was for the report.
func (p *Progress) Done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.w != nil && p.drawn > 0 {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.drawn)+"\r")
		p.drawn = 0
	}
}

// draw redraws the line unless it was drawn less than redrawEvery ago;
// force draws anyway (a new label, the last unit).
func (p *Progress) draw(force bool) {
	if p.w == nil {
		return
	}
	now := p.now()
	if !force && now.Sub(p.last) < redrawEvery {
		return
	}
	p.last = now
	line := p.line()
	pad := ""
	if n := p.drawn - len(line); n > 0 {
		pad = strings.Repeat(" ", n) // blank what a longer line left
	}
	fmt.Fprint(p.w, "\r"+line+pad)
	p.drawn = len(line)
}

func (p *Progress) line() string {
	if p.total <= 0 {
		return fmt.Sprintf("%s  %d", p.label, p.done)
	}
	done := min(p.done, p.total)
	filled := barWidth * done / p.total
	bar := strings.Repeat("=", filled)
	if filled < barWidth {
		bar += ">" + strings.Repeat(" ", barWidth-filled-1)
	}
	return fmt.Sprintf("%s [%s] %3d%%  %d/%d", p.label, bar, 100*done/p.total, done, p.total)
}
