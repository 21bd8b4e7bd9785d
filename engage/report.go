package engage

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
	"time"

	"vigil/db"
	"vigil/report"
	"vigil/sensitivity"
)

//go:embed templates/*.html
var reportFS embed.FS

var reportTmpl = template.Must(template.New("activities.html").Funcs(template.FuncMap{
	"kind":    KindLabel,
	"pkind":   PartnerKindLabel,
	"status":  StatusLabel,
	"join":    strings.Join,
	"link":    func(k string) string { return strings.ReplaceAll(k, "_", " ") },
	"svgSafe": func(s string) template.HTML { return template.HTML(s) },
}).ParseFS(reportFS, "templates/activities.html"))

// Group is a run of activities under one sub-heading of the report.
type Group struct {
	Title string       `json:"title"`
	Items []ReportItem `json:"activities"`
}

// ReportItem is an activity as the report states it.
type ReportItem struct {
	ID           string   `json:"id"`
	Kind         string   `json:"kind"`
	Title        string   `json:"title"`
	Summary      string   `json:"summary,omitempty"`
	StartDate    string   `json:"start_date"`
	EndDate      string   `json:"end_date,omitempty"`
	Status       string   `json:"status"`
	Partners     []string `json:"partners,omitempty"`
	Outcome      string   `json:"outcome,omitempty"`
	FollowUpDate string   `json:"follow_up_date,omitempty"`
	FollowUp     string   `json:"follow_up,omitempty"`
	Links        []Link   `json:"concerns,omitempty"`
	Sensitivity  string   `json:"sensitivity"`
}

// Concern is the records of one other part that the period's activities concerned.
type Concern struct {
	Kind, Label string
	Refs        []string
}

var linkLabels = map[string]string{"risk_factor": "Risk factors", "recommendation": "Recommendations followed up", "incident": "Incidents",
	"report": "Reports", "treaty": "Treaties"}

// Count is a labelled number.
type Count struct {
	Label string `json:"label"`
	N     int    `json:"n"`
}

// Report is the activity report to the Special Adviser's office for a
// period, holding only records at or below Level.
type Report struct {
	Institution string              `json:"institution"`
	From        string              `json:"from"`
	To          string              `json:"to"`
	Level       string              `json:"edition"`
	Generated   string              `json:"generated_at"`
	Total       int                 `json:"total"`
	ByStatus    []Count             `json:"by_status"`
	ByMonth     []Count             `json:"by_month"`
	Internal    []Group             `json:"internal_matters"`
	External    []Group             `json:"cooperation_with_external_partners"`
	Concerns    map[string][]string `json:"records_concerned"`
	ConcernList []Concern           `json:"-"`
	InternalN   int                 `json:"internal_matters_total"`
	ExternalN   int                 `json:"external_cooperation_total"`
	FollowUps   []ReportItem        `json:"follow_up"`
	Other       OtherWork           `json:"other_work"`
	ChartSVG    string              `json:"-"`
}

// internal and external sub-headings, in report order, with the kinds each takes.
var internalGroups = []struct {
	title string
	kinds []string
}{
	{"Reports and publications", []string{"publication"}},
	{"Monitoring and early warning", []string{"monitoring"}},
	{"Staff training and internal measures", []string{"training", "internal_measure"}},
}

var externalGroups = []struct {
	title string
	kinds []string
}{
	{"Parliament, government and oversight bodies", nil}, // chosen by partner kind below
	{"UN human rights mechanisms and the Special Adviser's office", []string{"submission", "visit", "consultation"}},
	{"Networks of peer institutions, regional bodies and exchanges of good practice", []string{"joint_event", "good_practice"}},
	{"Civil society, media and public briefings", nil},
	{"Training with partners", []string{"training"}},
	{"Other meetings and proposals", nil},
}

// BuildReport gathers the activities that started between from and to
// (inclusive) at or below level.
func BuildReport(ctx context.Context, q db.Q, inst, institutionName, from, to string, level sensitivity.Level) (Report, error) {
	if err := ValidDate(from, "--from"); err != nil {
		return Report{}, err
	}
	if err := ValidDate(to, "--to"); err != nil {
		return Report{}, err
	}
	if to < from {
		return Report{}, errors.New("the period ends before it starts")
	}
	if !level.Valid() {
		return Report{}, fmt.Errorf("edition level %d is not a level", level)
	}
	acts, err := ListActivities(ctx, q, inst, level, Filter{From: from, To: to})
	if err != nil {
		return Report{}, err
	}
	// Defence in depth: nothing above the edition's level, whatever the query did.
	acts = sensitivity.Filter(level, acts, func(a Activity) sensitivity.Level { return a.Sensitivity })
	r := Report{Institution: institutionName, From: from, To: to, Level: level.String(), Generated: time.Now().UTC().Format("2006-01-02"),
		Total: len(acts), Concerns: map[string][]string{}}
	statusN := map[string]int{}
	monthN := map[string]int{}
	for _, a := range acts {
		statusN[a.Status]++
		monthN[a.StartDate[:7]]++
		for _, l := range a.Links {
			r.Concerns[l.Kind] = append(r.Concerns[l.Kind], l.Ref)
		}
		// Open follow-up: not cancelled, and either not done or still ahead.
		if a.FollowUpDate != "" && a.Status != "cancelled" && (a.Status != "done" || a.FollowUpDate >= r.Generated) {
			r.FollowUps = append(r.FollowUps, item(a))
		}
	}
	for k, refs := range r.Concerns {
		r.Concerns[k] = uniqueSorted(refs)
	}
	for _, l := range LinkKinds {
		if refs := r.Concerns[l]; len(refs) > 0 {
			r.ConcernList = append(r.ConcernList, Concern{Kind: l, Label: linkLabels[l], Refs: refs})
		}
	}
	for _, s := range Statuses {
		if statusN[s] > 0 {
			r.ByStatus = append(r.ByStatus, Count{StatusLabel(s), statusN[s]})
		}
	}
	start, _ := time.Parse("2006-01-02", from)
	end, _ := time.Parse("2006-01-02", to)
	for m := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(end); m = m.AddDate(0, 1, 0) {
		r.ByMonth = append(r.ByMonth, Count{m.Format("2006-01"), monthN[m.Format("2006-01")]})
	}
	sort.Slice(r.FollowUps, func(i, j int) bool { return r.FollowUps[i].FollowUpDate < r.FollowUps[j].FollowUpDate })
	placed := map[string]bool{}
	for _, g := range internalGroups {
		grp := Group{Title: g.title}
		for _, a := range acts {
			if a.Heading() == Internal && contains(g.kinds, a.Kind) && !placed[a.ID] {
				placed[a.ID] = true
				grp.Items = append(grp.Items, item(a))
			}
		}
		r.InternalN += len(grp.Items)
		r.Internal = append(r.Internal, grp)
	}
	for i, g := range externalGroups {
		grp := Group{Title: g.title}
		for _, a := range acts {
			if a.Heading() != External || placed[a.ID] {
				continue
			}
			var in bool
			switch i {
			case 0:
				in = hasPartnerKind(a, "parliament", "ministry", "oversight_body")
			case 3:
				in = hasPartnerKind(a, "civil_society", "media") || a.Kind == "briefing"
			case 5:
				in = true
			default:
				in = contains(g.kinds, a.Kind)
			}
			if in {
				placed[a.ID] = true
				grp.Items = append(grp.Items, item(a))
			}
		}
		r.ExternalN += len(grp.Items)
		r.External = append(r.External, grp)
	}
	if r.Other, err = otherWork(ctx, q, inst, from, to, level, r.Generated); err != nil {
		return Report{}, err
	}
	r.ChartSVG = monthChart(r.ByMonth)
	return r, nil
}

func hasPartnerKind(a Activity, kinds ...string) bool {
	for _, p := range a.Partners {
		if contains(kinds, p.Kind) {
			return true
		}
	}
	return false
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// uniqueSorted sorts references naturally (RF2 before RF10) and drops repeats.
func uniqueSorted(l []string) []string {
	sort.Slice(l, func(i, j int) bool { return naturalLess(l[i], l[j]) })
	out := l[:0]
	for i, s := range l {
		if i == 0 || s != l[i-1] {
			out = append(out, s)
		}
	}
	return out
}

func item(a Activity) ReportItem {
	it := ReportItem{ID: a.ID, Kind: a.Kind, Title: a.Title, Summary: a.Summary, StartDate: a.StartDate, EndDate: a.EndDate,
		Status: a.Status, Outcome: a.Outcome, FollowUpDate: a.FollowUpDate, FollowUp: a.FollowUp, Links: a.Links, Sensitivity: a.Sensitivity.String()}
	for _, p := range a.Partners {
		it.Partners = append(it.Partners, p.Name)
	}
	return it
}

// monthChart draws activities per month as SVG bars, with a title and
// description so that screen readers announce it, and the numbers printed
// on the bars so the chart reads without colour.
func monthChart(months []Count) string {
	if len(months) == 0 {
		return ""
	}
	max := 1
	for _, m := range months {
		if m.N > max {
			max = m.N
		}
	}
	const h, barW, gap, top, bottom = 160, 36, 10, 20, 30
	w := len(months)*(barW+gap) + gap
	var b strings.Builder
	var desc []string
	for _, m := range months {
		desc = append(desc, fmt.Sprintf("%s: %d", m.Label, m.N))
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-title chart-desc" viewBox="0 0 %d %d" width="%d" height="%d" class="chart">`, w, h+top+bottom, w, h+top+bottom)
	fmt.Fprintf(&b, `<title id="chart-title">Activities per month</title><desc id="chart-desc">%s</desc>`, template.HTMLEscapeString(strings.Join(desc, "; ")))
	fmt.Fprintf(&b, `<line x1="0" y1="%d" x2="%d" y2="%d" stroke="#333" stroke-width="1"/>`, top+h, w, top+h)
	for i, m := range months {
		x := gap + i*(barW+gap)
		bh := m.N * h / max
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#1d4f91"/>`, x, top+h-bh, barW, bh)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="12" fill="#111">%d</text>`, x+barW/2, top+h-bh-4, m.N)
		label := m.Label
		if t, err := time.Parse("2006-01", m.Label); err == nil {
			label = t.Format("Jan")
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="11" fill="#111">%s</text>`, x+barW/2, top+h+16, label)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// WriteHTML writes the report as one self-contained HTML document.
func (r Report) WriteHTML(w io.Writer) error { return reportTmpl.Execute(w, r) }

// WriteJSON writes the report as indented JSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// PDF prints the HTML report through headless Chromium (report.PDF); it
// returns report.ErrNoChromium, with its instructions, when there is none.
func (r Report) PDF(ctx context.Context) ([]byte, error) {
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		return nil, err
	}
	return report.PDF(ctx, buf.Bytes())
}

var kindLabels = map[string]string{
	"briefing": "Briefing", "submission": "Submission", "visit": "Country visit", "meeting": "Meeting", "training": "Training",
	"joint_event": "Joint event", "good_practice": "Exchange of good practice", "proposal": "Proposal", "consultation": "Consultation",
	"publication": "Publication", "monitoring": "Monitoring", "internal_measure": "Internal measure",
}

var partnerKindLabels = map[string]string{
	"parliament": "Parliament or committee", "ministry": "Ministry or government", "oversight_body": "Security-force oversight body",
	"civil_society": "Civil society", "media": "Media", "un_office": "UN office", "un_mechanism": "UN human rights mechanism",
	"nhri": "National human rights institution", "regional_network": "Regional network", "academic": "Academic", "other": "Other",
}

var statusLabels = map[string]string{"planned": "Planned", "in_progress": "In progress", "done": "Done", "follow_up": "Follow-up due", "cancelled": "Cancelled"}

// KindLabel, PartnerKindLabel and StatusLabel give the English label of a code.
func KindLabel(k string) string        { return label(kindLabels, k) }
func PartnerKindLabel(k string) string { return label(partnerKindLabels, k) }
func StatusLabel(s string) string      { return label(statusLabels, s) }

func label(m map[string]string, k string) string {
	if l, ok := m[k]; ok {
		return l
	}
	return k
}

// naturalLess compares strings with runs of digits compared as numbers.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da != "" && db != "" {
			na, nb := strings.TrimLeft(da, "0"), strings.TrimLeft(db, "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}
