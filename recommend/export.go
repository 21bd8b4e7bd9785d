package recommend

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"vigil/access"
	"vigil/db"
	"vigil/sensitivity"
)

// MatrixRow is one line of the matrix of recommendations clustered by
// theme, the table States and institutions use to draft national plans.
type MatrixRow struct {
	Cluster     string
	Rec         Recommendation
	OtherThemes []string
	Actions     []Action
	Government  *Assessment // latest government account, if any
	Independent *Assessment // latest independent (NHRI) assessment, if any
}

// MatrixHeader names the matrix columns, in order.
var MatrixHeader = []string{"Cluster (theme)", "State under review", "Mechanism", "Body", "Recommending State", "Cycle", "Session",
	"Document", "Paragraph", "Recommendation", "Response", "UPR Info action category", "Other themes",
	"Follow-up actions (responsible, due)", "Government's account", "Independent assessment", "Assessment evidence", "Id"}

// MaxMatrixRows bounds one export; narrow the search for more.
const MaxMatrixRows = 50000

// Matrix builds the matrix for the recommendations matching f: each
// recommendation once, under the first of its themes ("No theme" when it
// has none), clusters in alphabetical order. The institution's follow-up
// that role may see is joined in.
func Matrix(ctx context.Context, q db.Q, f Filter, role access.Role) ([]MatrixRow, error) {
	f.Limit, f.Offset, f.NoFacets = MaxMatrixRows, 0, true
	res, err := Search(ctx, q, f)
	if err != nil {
		return nil, err
	}
	rows := make([]MatrixRow, 0, len(res.Results))
	byID := map[string]int{}
	for _, r := range res.Results {
		m := MatrixRow{Cluster: "No theme", Rec: r}
		if len(r.Themes) > 0 {
			m.Cluster, m.OtherThemes = r.Themes[0], r.Themes[1:]
		}
		byID[r.ID] = len(rows)
		rows = append(rows, m)
	}
	if f.Institution != "" && len(rows) > 0 {
		// The institution's follow-up is small next to the texts: read it whole and join here.
		acts, err := scanActions(ctx, q, role, false, "SELECT "+actionCols+" FROM rec_actions a WHERE a.institution_id = ? ORDER BY a.due_on", f.Institution)
		if err != nil {
			return nil, err
		}
		for _, a := range acts {
			if i, ok := byID[a.RecommendationID]; ok {
				rows[i].Actions = append(rows[i].Actions, a)
			}
		}
		rs, err := q.Query(ctx, `SELECT recommendation_id, source, status, assessed_by, assessed_on, evidence, sensitivity FROM rec_assessments
			WHERE institution_id = ? ORDER BY assessed_on, created_at`, f.Institution)
		if err != nil {
			return nil, err
		}
		defer rs.Close()
		for rs.Next() {
			var a Assessment
			var lvl int
			if err := rs.Scan(&a.RecommendationID, &a.Source, &a.Status, &a.AssessedBy, &a.AssessedOn, &a.Evidence, &lvl); err != nil {
				return nil, err
			}
			a.Sensitivity = sensitivity.Level(lvl)
			i, ok := byID[a.RecommendationID]
			if !ok || !sensitivity.Allows(role.Clearance(), a.Sensitivity) {
				continue
			}
			if a.Source == "nhri" {
				rows[i].Independent = &a
			} else {
				rows[i].Government = &a
			}
		}
		if err := rs.Err(); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Cluster != rows[j].Cluster {
			return rows[i].Cluster < rows[j].Cluster
		}
		if rows[i].Rec.StateUnderReview != rows[j].Rec.StateUnderReview {
			return rows[i].Rec.StateUnderReview < rows[j].Rec.StateUnderReview
		}
		return rows[i].Rec.Num < rows[j].Rec.Num
	})
	return rows, nil
}

func (m MatrixRow) cells() []string {
	r := m.Rec
	var acts []string
	for _, a := range m.Actions {
		s := a.Title + " (" + a.Responsible
		if a.DueOn != "" {
			s += ", due " + a.DueOn
		}
		acts = append(acts, s+", "+a.Status+")")
	}
	gov, ind, ev := "", "", ""
	if m.Government != nil {
		gov = m.Government.Status + " (" + m.Government.AssessedOn + ")"
	}
	if m.Independent != nil {
		ind = m.Independent.Status + " (" + m.Independent.AssessedBy + ", " + m.Independent.AssessedOn + ")"
		ev = m.Independent.Evidence
	}
	cycle, cat := "", ""
	if r.Cycle > 0 {
		cycle = strconv.Itoa(r.Cycle)
	}
	if r.ActionCategory > 0 {
		cat = strconv.Itoa(r.ActionCategory)
	}
	return []string{m.Cluster, r.StateUnderReview, r.Mechanism, r.Body, r.RecommendingState, cycle, r.Session, r.DocumentSymbol,
		r.Paragraph, r.Text, r.Response, cat, strings.Join(m.OtherThemes, "; "), strings.Join(acts, "; "), gov, ind, ev, r.ID}
}

// SafeCell neutralises spreadsheet formula injection: a cell beginning with
// =, +, -, @ (or a tab or carriage return, which some programs skip before
// them) gets a leading apostrophe, so it is shown as text and never run.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteMatrixCSV writes the matrix as CSV (UTF-8 with a byte-order mark so
// that spreadsheet programs read the accents right).
func WriteMatrixCSV(w io.Writer, rows []MatrixRow) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write(MatrixHeader)
	for _, m := range rows {
		c := m.cells()
		for i := range c {
			c[i] = SafeCell(c[i])
		}
		if err := cw.Write(c); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteMatrixXLSX writes the matrix as a workbook: one sheet with every
// row and a cluster column to filter on, and a summary sheet counting
// recommendations and assessments per cluster.
func WriteMatrixXLSX(w io.Writer, rows []MatrixRow) error {
	x := excelize.NewFile()
	defer x.Close()
	const sheet = "Matrix"
	x.SetSheetName("Sheet1", sheet)
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	bold, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	wrap, _ := x.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	sw.SetColWidth(1, 1, 28)
	sw.SetColWidth(10, 10, 70)
	sw.SetColWidth(14, 17, 36)
	head := make([]any, len(MatrixHeader))
	for i, h := range MatrixHeader {
		head[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", head, excelize.RowOpts{}); err != nil {
		return err
	}
	type tally struct{ n, fully, partially, not int }
	sum := map[string]*tally{}
	var order []string
	for i, m := range rows {
		c := m.cells()
		vals := make([]any, len(c))
		for j, s := range c {
			vals[j] = excelize.Cell{StyleID: wrap, Value: SafeCell(s)}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, vals); err != nil {
			return err
		}
		t := sum[m.Cluster]
		if t == nil {
			t = &tally{}
			sum[m.Cluster] = t
			order = append(order, m.Cluster)
		}
		t.n++
		if m.Independent != nil {
			switch m.Independent.Status {
			case "fully":
				t.fully++
			case "partially":
				t.partially++
			case "not_implemented":
				t.not++
			}
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	x.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if len(rows) > 0 {
		last, _ := excelize.CoordinatesToCellName(len(MatrixHeader), len(rows)+1)
		x.AutoFilter(sheet, "A1:"+last, nil)
	}
	const s2 = "By cluster"
	x.NewSheet(s2)
	x.SetSheetRow(s2, "A1", &[]any{"Cluster (theme)", "Recommendations", "Fully implemented", "Partially", "Not implemented", "Not assessed"})
	x.SetCellStyle(s2, "A1", "F1", bold)
	x.SetColWidth(s2, "A", "A", 40)
	for i, k := range order {
		t := sum[k]
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		x.SetSheetRow(s2, cell, &[]any{SafeCell(k), t.n, t.fully, t.partially, t.not, t.n - t.fully - t.partially - t.not})
	}
	_, err = x.WriteTo(w)
	return err
}

// SubmissionSection is what the draft of the atrocity-prevention section
// of a UPR submission is built from.
type SubmissionSection struct {
	State    string
	Clusters []SubmissionCluster
	Total    int
}

// SubmissionCluster is one theme of the draft with its recommendations.
type SubmissionCluster struct {
	Theme string
	Rows  []MatrixRow
}

// AtrocityThemes are the UPR Info issues that bear most directly on the
// prevention of atrocity crimes; the draft gathers recommendations on them.
var AtrocityThemes = []string{"Enforced disappearances", "Extrajudicial executions", "Human rights violations by state agents", "Impunity",
	"International humanitarian law", "Internally displaced persons", "Minorities", "Racial discrimination", "Torture and other CID treatment",
	"Justice", "Human rights defenders", "Freedom of opinion and expression", "Counter-terrorism", "Public security"}

// atrocityQuery finds recommendations on atrocity prevention by words,
// whatever their themes.
const atrocityQuery = `genocide OR "crimes against humanity" OR "war crimes" OR "rome statute" OR "international criminal court" OR incitement OR "hate speech" OR "ethnic cleansing" OR "enforced disappearance" OR "extrajudicial" OR atrocit*`

// Submission gathers the recommendations to state that bear on atrocity
// prevention (by theme or by words), with the institution's follow-up.
func Submission(ctx context.Context, q db.Q, sc Scope, role access.Role, state string) (SubmissionSection, error) {
	out := SubmissionSection{State: state}
	seen := map[string]bool{}
	var all []MatrixRow
	collect := func(f Filter) error {
		f.State, f.Institution, f.Clearance = state, sc.Institution, sc.Clearance
		rows, err := Matrix(ctx, q, f, role)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if !seen[r.Rec.ID] {
				seen[r.Rec.ID] = true
				all = append(all, r)
			}
		}
		return nil
	}
	for _, t := range AtrocityThemes {
		if err := collect(Filter{Theme: t}); err != nil {
			return out, err
		}
	}
	if err := collect(Filter{Query: atrocityQuery}); err != nil {
		return out, err
	}
	idx := map[string]int{}
	for _, r := range all {
		theme := "Other recommendations on atrocity prevention"
		for _, t := range r.Rec.Themes {
			if contains(AtrocityThemes, t) {
				theme = t
				break
			}
		}
		i, ok := idx[theme]
		if !ok {
			i = len(out.Clusters)
			idx[theme] = i
			out.Clusters = append(out.Clusters, SubmissionCluster{Theme: theme})
		}
		out.Clusters[i].Rows = append(out.Clusters[i].Rows, r)
	}
	sort.Slice(out.Clusters, func(i, j int) bool { return out.Clusters[i].Theme < out.Clusters[j].Theme })
	out.Total = len(all)
	return out, nil
}

// StatusLabel is how an implementation status reads in prose.
func StatusLabel(s string) string {
	switch s {
	case "fully":
		return "fully implemented"
	case "partially":
		return "partially implemented"
	case "not_implemented":
		return "not implemented"
	case "unknown":
		return "status unknown"
	}
	return fmt.Sprint(s)
}
