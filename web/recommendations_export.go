package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"vigil/access"
	"vigil/db"
	"vigil/recommend"
)

// Exports of the recommendations tracker: the matrix by theme (CSV, XLSX)
// for the current search, the draft of the atrocity-prevention section of
// a UPR submission, and the SVG chart of independent assessments.

func (s *Server) recMatrix(w http.ResponseWriter, r *http.Request) ([]recommend.MatrixRow, bool) {
	f := recFilter(r)
	c := current(r)
	var rows []recommend.MatrixRow
	err := s.db.Read(r.Context(), f.Institution, func(tx *db.Tx) error {
		var err error
		rows, err = recommend.Matrix(r.Context(), tx, f, c.User.Role)
		return err
	})
	if err != nil {
		if _, perr := recommend.MatchExpr(db.SQLite, f.Query); perr != nil {
			s.fail(w, r, route{}, http.StatusBadRequest, "The query could not be read: "+perr.Error(), nil)
			return nil, false
		}
		s.fail(w, r, route{}, http.StatusInternalServerError, "The matrix could not be built.", err)
		return nil, false
	}
	return rows, true
}

func matrixName(ext string) string {
	return "recommendations-matrix-" + time.Now().UTC().Format("2006-01-02") + "." + ext
}

func (s *Server) recMatrixCSV(w http.ResponseWriter, r *http.Request) {
	rows, ok := s.recMatrix(w, r)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := recommend.WriteMatrixCSV(&buf, rows); err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The matrix could not be written.", err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+matrixName("csv")+`"`)
	w.Write(buf.Bytes())
}

func (s *Server) recMatrixXLSX(w http.ResponseWriter, r *http.Request) {
	rows, ok := s.recMatrix(w, r)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := recommend.WriteMatrixXLSX(&buf, rows); err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The matrix could not be written.", err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+matrixName("xlsx")+`"`)
	w.Write(buf.Bytes())
}

type recSubmissionView struct {
	Sec         recommend.SubmissionSection
	Institution string
	StateName   string
	Date        string
}

func (s *Server) recSubmission(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	v := recSubmissionView{Date: time.Now().UTC().Format("2 January 2006")}
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		inst, err := access.GetInstitution(r.Context(), tx, c.User.InstitutionID)
		if err != nil {
			return err
		}
		v.Institution = inst.Name
		state := strings.ToUpper(r.URL.Query().Get("state"))
		if state == "" {
			state = inst.CountryCode
		}
		v.StateName = state
		tx.QueryRow(r.Context(), "SELECT name FROM countries WHERE code = ?", state).Scan(&v.StateName)
		v.Sec, err = recommend.Submission(r.Context(), tx, recScope(r), c.User.Role, state)
		return err
	})
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The draft could not be built.", err)
		return
	}
	s.render(w, r, "recommendations_submission", pageData{Title: "Draft: atrocity prevention in the UPR submission", Data: v})
}

// chartSVG is a server-drawn chart, safe to place in a template.
type chartSVG = template.HTML

var statusColours = map[string]string{"fully": "#1b7a3a", "partially": "#b35c00", "not_implemented": "#b00020", "unknown": "#555555", "unassessed": "#8a8a8a"}

// statusChart draws one horizontal bar per status of the independent
// assessments, with the numbers written out so the chart needs no colour
// to be read.
func statusChart(cs []recommend.Count) chartSVG {
	if len(cs) == 0 {
		return ""
	}
	maxN := 1
	for _, c := range cs {
		maxN = max(maxN, c.N)
	}
	const barW, rowH, labelW = 360, 28, 190
	h := rowH*len(cs) + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-labelledby="rec-chart-title" viewBox="0 0 %d %d" width="%d" height="%d" xmlns="http://www.w3.org/2000/svg">`,
		labelW+barW+70, h, labelW+barW+70, h)
	b.WriteString(`<title id="rec-chart-title">Recommendations by independent assessment</title>`)
	for i, c := range cs {
		y := 5 + i*rowH
		wBar := c.N * barW / maxN
		if c.N > 0 && wBar < 2 {
			wBar = 2
		}
		col := statusColours[c.Value]
		if col == "" {
			col = "#555555"
		}
		label := recommend.StatusLabel(c.Value)
		if c.Value == "unassessed" {
			label = "not yet assessed"
		}
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="14" fill="#1a1a1a">%s</text>`, y+18, template.HTMLEscapeString(label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="20" fill="%s"></rect>`, labelW, y+4, wBar, col)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="14" fill="#1a1a1a">%d</text>`, labelW+wBar+6, y+18, c.N)
	}
	b.WriteString(`</svg>`)
	return chartSVG(b.String())
}
