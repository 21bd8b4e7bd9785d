package treaty

import (
	"fmt"
	"html"
	"strings"
)

// Charts are drawn here as SVG text so that pages, reports and PDFs show the
// same picture without any script. Every chart carries a title and a
// description for screen readers; pages put the numbers in a table beside it.

const (
	colWorld  = "#0b4f8a" // accent blue, 8.6:1 on white
	colRegion = "#1d6b35" // green, 6.6:1 on white
	colText   = "#1b1f24"
	colMuted  = "#4a5360"
	colLine   = "#c9d0d8"
)

func esc(s string) string { return html.EscapeString(s) }

// ComparisonSVG draws, for each instrument, the share of the world's and of
// the region's States that are parties, and marks the State's own status.
func ComparisonSVG(c Comparison, id string) string {
	const left, barW, rowH, top = 170, 360, 34, 40
	h := top + rowH*len(c.Lines) + 20
	w := left + barW + 150
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="%s-t %s-d" viewBox="0 0 %d %d" width="100%%" class="chart">`, id, id, w, h)
	fmt.Fprintf(&b, `<title id="%s-t">Share of States that are parties: world and %s</title>`, id, esc(regionName(c.Region)))
	fmt.Fprintf(&b, `<desc id="%s-d">For each instrument, the upper bar is the share of the %d States in the treaty data that are parties, the lower bar the share of the %d of them in %s; the text on the right gives %s's own status.</desc>`,
		id, c.WorldStates, c.RegionStates, esc(regionName(c.Region)), esc(c.State))
	fmt.Fprintf(&b, `<g font-size="12" fill="%s">`, colText)
	fmt.Fprintf(&b, `<rect x="%d" y="8" width="12" height="12" fill="%s"/><text x="%d" y="18">World</text>`, left, colWorld, left+16)
	fmt.Fprintf(&b, `<rect x="%d" y="8" width="12" height="12" fill="%s"/><text x="%d" y="18">%s</text>`, left+80, colRegion, left+96, esc(regionName(c.Region)))
	for i := 0; i <= 4; i++ {
		x := left + barW*i/4
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s"/><text x="%d" y="%d" text-anchor="middle" fill="%s">%d%%</text>`,
			x, top-6, x, h-20, colLine, x, h-6, colMuted, i*25)
	}
	for i, l := range c.Lines {
		y := top + i*rowH
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, left-8, y+17, esc(trim(l.ShortName, 24)))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="11" fill="%s"/>`, left, y+4, share(l.WorldParties, c.WorldStates, barW), colWorld)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="11" fill="%s"/>`, left, y+16, share(l.RegionParties, c.RegionStates, barW), colRegion)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s: %s</text>`, left+barW+8, y+17, esc(c.State), esc(statusWord(l.StateStatus)))
	}
	b.WriteString(`</g></svg>`)
	return b.String()
}

// PartiesSVG draws the number of parties at the end of each year.
func PartiesSVG(s Summary, id string) string {
	const w, h, left, bottom, top = 640, 260, 48, 30, 16
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="%s-t %s-d" viewBox="0 0 %d %d" width="100%%" class="chart">`, id, id, w, h)
	fmt.Fprintf(&b, `<title id="%s-t">States parties to %s over time</title>`, id, esc(s.ShortName))
	if len(s.ByYear) == 0 {
		fmt.Fprintf(&b, `<desc id="%s-d">No dated ratifications are recorded.</desc><text x="20" y="40" font-size="14" fill="%s">No dated ratifications recorded.</text></svg>`, id, colText)
		return b.String()
	}
	first, last := s.ByYear[0], s.ByYear[len(s.ByYear)-1]
	max := 1
	for _, yc := range s.ByYear {
		if yc.Parties > max {
			max = yc.Parties
		}
	}
	// Round the axis up so that its four steps are round numbers.
	for _, step := range []int{1, 2, 5, 10, 20, 25, 50, 100} {
		if step*4 >= max {
			max = step * 4
			break
		}
	}
	fmt.Fprintf(&b, `<desc id="%s-d">From %d party at the end of %d to %d at the end of %d.</desc>`, id, first.Parties, first.Year, last.Parties, last.Year)
	fmt.Fprintf(&b, `<g font-size="12" fill="%s">`, colText)
	plotW, plotH := w-left-16, h-bottom-top
	x := func(i int) int {
		if len(s.ByYear) == 1 {
			return left + plotW/2
		}
		return left + plotW*i/(len(s.ByYear)-1)
	}
	y := func(n int) int { return top + plotH - plotH*n/max }
	for i := 0; i <= 4; i++ {
		n := max * i / 4
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s"/><text x="%d" y="%d" text-anchor="end" fill="%s">%d</text>`,
			left, y(n), w-16, y(n), colLine, left-6, y(n)+4, colMuted, n)
	}
	var pts []string
	for i, yc := range s.ByYear {
		pts = append(pts, fmt.Sprintf("%d,%d", x(i), y(yc.Parties)))
	}
	fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2.5" points="%s"/>`, colWorld, strings.Join(pts, " "))
	step := (len(s.ByYear) + 7) / 8
	for i := 0; i < len(s.ByYear); i += step {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="%s">%d</text>`, x(i), h-10, colMuted, s.ByYear[i].Year)
	}
	b.WriteString(`</g></svg>`)
	return b.String()
}

func share(n, of, width int) int {
	if of <= 0 {
		return 0
	}
	if n > of {
		n = of
	}
	return width * n / of
}

func trim(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func regionName(r string) string {
	if r == "" {
		return "its region"
	}
	return r
}

func statusWord(s string) string {
	switch s {
	case "party":
		return "party"
	case "signatory":
		return "signed only"
	case "withdrawn":
		return "withdrew"
	}
	return "not a party"
}
