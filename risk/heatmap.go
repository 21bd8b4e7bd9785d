package risk

import (
	"fmt"
	"html"
	"strings"
)

// HeatColumn is one period of the heat map: its label and the level of each
// risk factor by number.
type HeatColumn struct {
	Period string
	Levels map[int]string
}

// HeatColumnOf makes a heat-map column from an assessment.
func HeatColumnOf(a Assessment) HeatColumn {
	c := HeatColumn{Period: a.Period, Levels: map[int]string{}}
	for _, f := range Roll(a).Factors {
		c.Levels[f.Number] = f.Level.Level
	}
	return c
}

// heatFill gives each level a fill and a text colour with a contrast of at
// least 4.5:1 between them; the cells also carry a letter, so the map does
// not rely on colour alone.
var heatFill = map[string][2]string{
	NotAssessed: {"#f2f2f2", "#333333"},
	NotPresent:  {"#e3efe0", "#1e3d1a"},
	Low:         {"#fff1b8", "#4a3b00"},
	Moderate:    {"#f6b26b", "#3d2000"},
	High:        {"#b3261e", "#ffffff"},
}

var heatLetter = map[string]string{NotAssessed: "–", NotPresent: "0", Low: "L", Moderate: "M", High: "H"}

// HeatLabels are the texts a heat map needs, so that it can be drawn in the
// reader's language.
type HeatLabels struct {
	Title  string
	Factor func(n int, title string) string
	Level  func(level string) string
}

// HeatMapSVG draws risk factors (rows) by periods (columns) as an SVG
// document fragment with a title, a description and a legend. factors lists
// the rows as number and title.
func HeatMapSVG(id string, factors []FactorLevel, cols []HeatColumn, lb HeatLabels) string {
	if lb.Factor == nil {
		lb.Factor = func(n int, t string) string { return fmt.Sprintf("%d. %s", n, t) }
	}
	if lb.Level == nil {
		lb.Level = func(l string) string { return strings.ReplaceAll(l, "_", " ") }
	}
	const labelW, cellW, cellH, top = 330, 64, 22, 26
	w := labelW + cellW*len(cols) + 10
	legendY := top + cellH*len(factors) + 16
	h := legendY + 30
	var b strings.Builder
	e := html.EscapeString
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" direction="ltr" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-t %s-d">`, w, h, w, h, id, id)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title>`, id, e(lb.Title))
	var desc []string
	for _, f := range factors {
		var cells []string
		for _, c := range cols {
			cells = append(cells, c.Period+": "+lb.Level(orNA(c.Levels[f.Number])))
		}
		desc = append(desc, lb.Factor(f.Number, f.Title)+" — "+strings.Join(cells, ", "))
	}
	fmt.Fprintf(&b, `<desc id="%s-d">%s</desc>`, id, e(strings.Join(desc, "; ")))
	for j, c := range cols {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="12" font-weight="bold" fill="#222222">%s</text>`, labelW+cellW*j+cellW/2, top-8, e(c.Period))
	}
	for i, f := range factors {
		y := top + cellH*i
		label := lb.Factor(f.Number, f.Title)
		if len([]rune(label)) > 52 {
			label = string([]rune(label)[:51]) + "…"
		}
		fmt.Fprintf(&b, `<text x="4" y="%d" font-size="11" fill="#222222">%s</text>`, y+15, e(label))
		for j, c := range cols {
			lv := orNA(c.Levels[f.Number])
			col := heatFill[lv]
			x := labelW + cellW*j
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#ffffff"><title>%s</title></rect>`, x, y, cellW, cellH, col[0], e(c.Period+" · "+label+": "+lb.Level(lv)))
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="12" font-weight="bold" fill="%s">%s</text>`, x+cellW/2, y+15, col[1], heatLetter[lv])
		}
	}
	x := 4
	for _, lv := range []string{High, Moderate, Low, NotPresent, NotAssessed} {
		col := heatFill[lv]
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="18" height="16" fill="%s" stroke="#999999"/>`, x, legendY, col[0])
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="11" font-weight="bold" fill="%s">%s</text>`, x+9, legendY+12, col[1], heatLetter[lv])
		name := lb.Level(lv)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#222222">%s</text>`, x+22, legendY+12, e(name))
		x += 28 + 7*len([]rune(name)) + 12
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func orNA(l string) string {
	if l == "" {
		return NotAssessed
	}
	return l
}
