package recommend

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"vigil/access"
	"vigil/db"
	"vigil/sensitivity"
)

// Action is a follow-up step: what the State (or the institution) should
// do about a recommendation, who is responsible, how progress is measured
// and by when.
type Action struct {
	ID               string            `json:"id"`
	RecommendationID string            `json:"recommendation_id"`
	Title            string            `json:"title"`
	Responsible      string            `json:"responsible"`
	Indicator        string            `json:"indicator"`
	DueOn            string            `json:"due_on"`
	Status           string            `json:"status"`
	Sensitivity      sensitivity.Level `json:"sensitivity"`
	CreatedBy        string            `json:"created_by"`
	CreatedAt        string            `json:"created_at"`
	UpdatedAt        string            `json:"updated_at"`
	// Filled by the board: the recommendation's State and text.
	State string `json:"state,omitempty"`
	Text  string `json:"text,omitempty"`
}

// ActionStatuses are the states of an action.
var ActionStatuses = []string{"planned", "in_progress", "done", "dropped"}

// Overdue reports whether a is open and its due date has passed on day
// today ('YYYY-MM-DD').
func (a Action) Overdue(today string) bool {
	return a.DueOn != "" && a.DueOn < today && (a.Status == "planned" || a.Status == "in_progress")
}

// Assessment is one account of how far a recommendation is implemented.
// Source "government" records what the State says; "nhri" is the
// institution's independent judgement. They are stored and shown apart.
type Assessment struct {
	ID               string            `json:"id"`
	RecommendationID string            `json:"recommendation_id"`
	Source           string            `json:"source"`
	Status           string            `json:"status"`
	AssessedBy       string            `json:"assessed_by"`
	AssessedOn       string            `json:"assessed_on"`
	Evidence         string            `json:"evidence"`
	Sensitivity      sensitivity.Level `json:"sensitivity"`
	CreatedBy        string            `json:"created_by"`
	CreatedAt        string            `json:"created_at"`
}

// RiskLink ties a recommendation to a risk-assessment indicator by its
// code (package risk owns the indicators).
type RiskLink struct {
	ID               string            `json:"id"`
	RecommendationID string            `json:"recommendation_id"`
	IndicatorCode    string            `json:"indicator_code"`
	Rationale        string            `json:"rationale"`
	ConfirmedBy      string            `json:"confirmed_by"` // "" while only suggested
	Sensitivity      sensitivity.Level `json:"sensitivity"`
	CreatedAt        string            `json:"created_at"`
	Rule             string            `json:"rule,omitempty"` // the suggestion rule that proposed it; "" when made by hand
}

func validDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

func levelOr(l sensitivity.Level) sensitivity.Level {
	if l == 0 {
		return sensitivity.Internal
	}
	return l
}

// AddAction records a follow-up action for institution.
func AddAction(ctx context.Context, q db.Q, institution, userID string, a Action) (Action, error) {
	a.Title, a.Responsible = strings.TrimSpace(a.Title), strings.TrimSpace(a.Responsible)
	a.Sensitivity = levelOr(a.Sensitivity)
	if a.Status == "" {
		a.Status = "planned"
	}
	switch {
	case a.Title == "":
		return a, errors.New("say what is to be done")
	case a.Responsible == "":
		return a, errors.New("name the responsible institution")
	case a.DueOn != "" && !validDate(a.DueOn):
		return a, fmt.Errorf("due date %q is not YYYY-MM-DD", a.DueOn)
	case !contains(ActionStatuses, a.Status):
		return a, fmt.Errorf("status %q is not one of %s", a.Status, strings.Join(ActionStatuses, ", "))
	case !a.Sensitivity.Valid():
		return a, errors.New("invalid sensitivity")
	}
	if _, err := Get(ctx, q, Scope{Institution: institution, Clearance: sensitivity.Confidential}, a.RecommendationID); err != nil {
		return a, err
	}
	a.ID, a.CreatedBy, a.CreatedAt = db.NewID(), userID, db.Now()
	a.UpdatedAt = a.CreatedAt
	_, err := q.Exec(ctx, `INSERT INTO rec_actions (id, institution_id, recommendation_id, title, responsible, indicator, due_on, status,
		sensitivity, created_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
		a.ID, institution, a.RecommendationID, a.Title, a.Responsible, a.Indicator, a.DueOn, a.Status, int(a.Sensitivity), userID, a.CreatedAt, a.UpdatedAt)
	return a, err
}

// SetActionStatus moves an action of institution to status.
func SetActionStatus(ctx context.Context, q db.Q, institution, id, status string) (Action, error) {
	if !contains(ActionStatuses, status) {
		return Action{}, fmt.Errorf("status %q is not one of %s", status, strings.Join(ActionStatuses, ", "))
	}
	res, err := q.Exec(ctx, "UPDATE rec_actions SET status = ?, updated_at = ? WHERE institution_id = ? AND id = ?", status, db.Now(), institution, id)
	if err != nil {
		return Action{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Action{}, ErrNotFound
	}
	var a Action
	err = q.QueryRow(ctx, "SELECT recommendation_id, title FROM rec_actions WHERE institution_id = ? AND id = ?", institution, id).Scan(&a.RecommendationID, &a.Title)
	a.ID, a.Status = id, status
	return a, err
}

const actionCols = `a.id, a.recommendation_id, a.title, a.responsible, a.indicator, a.due_on, a.status, a.sensitivity, a.created_by, a.created_at, a.updated_at`

func scanActions(ctx context.Context, q db.Q, role access.Role, board bool, query string, args ...any) ([]Action, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Action{}
	for rows.Next() {
		var a Action
		var lvl int
		dst := []any{&a.ID, &a.RecommendationID, &a.Title, &a.Responsible, &a.Indicator, &a.DueOn, &a.Status, &lvl, &a.CreatedBy, &a.CreatedAt, &a.UpdatedAt}
		if board {
			dst = append(dst, &a.State, &a.Text)
		}
		if err := rows.Scan(dst...); err != nil {
			return nil, err
		}
		a.Sensitivity = sensitivity.Level(lvl)
		if sensitivity.Allows(role.Clearance(), a.Sensitivity) {
			out = append(out, a)
		}
	}
	return out, rows.Err()
}

// Actions lists the institution's actions on one recommendation that role may see.
func Actions(ctx context.Context, q db.Q, institution, recID string, role access.Role) ([]Action, error) {
	return scanActions(ctx, q, role, false, "SELECT "+actionCols+" FROM rec_actions a WHERE a.institution_id = ? AND a.recommendation_id = ? ORDER BY a.due_on, a.created_at",
		institution, recID)
}

// Board lists the institution's open actions by responsible institution
// and due date: the follow-up board. With overdueOnly, only those due
// before today.
func Board(ctx context.Context, q db.Q, institution string, role access.Role, today string, overdueOnly bool) ([]Action, error) {
	cond := ""
	args := []any{institution}
	if overdueOnly {
		cond = " AND a.due_on <> '' AND a.due_on < ?"
		args = append(args, today)
	}
	return scanActions(ctx, q, role, true, "SELECT "+actionCols+", r.state_under_review, r.text FROM rec_actions a JOIN recommendations r ON r.id = a.recommendation_id"+
		" WHERE a.institution_id = ? AND a.status IN ('planned','in_progress')"+cond+" ORDER BY a.responsible, a.due_on, a.created_at", args...)
}

// AddAssessment records an assessment of implementation.
func AddAssessment(ctx context.Context, q db.Q, institution, userID string, a Assessment) (Assessment, error) {
	a.AssessedBy, a.Evidence = strings.TrimSpace(a.AssessedBy), strings.TrimSpace(a.Evidence)
	a.Sensitivity = levelOr(a.Sensitivity)
	switch {
	case a.Source != "government" && a.Source != "nhri":
		return a, errors.New("say whose account this is: the government's or the institution's own")
	case !contains(Statuses, a.Status):
		return a, fmt.Errorf("status %q is not one of %s", a.Status, strings.Join(Statuses, ", "))
	case a.AssessedBy == "":
		return a, errors.New("say who assessed")
	case !validDate(a.AssessedOn):
		return a, fmt.Errorf("date %q is not YYYY-MM-DD", a.AssessedOn)
	case a.Source == "nhri" && a.Evidence == "":
		return a, errors.New("an independent assessment must say on what evidence it rests")
	case !a.Sensitivity.Valid():
		return a, errors.New("invalid sensitivity")
	}
	if _, err := Get(ctx, q, Scope{Institution: institution, Clearance: sensitivity.Confidential}, a.RecommendationID); err != nil {
		return a, err
	}
	a.ID, a.CreatedBy, a.CreatedAt = db.NewID(), userID, db.Now()
	_, err := q.Exec(ctx, `INSERT INTO rec_assessments (id, institution_id, recommendation_id, source, status, assessed_by, assessed_on, evidence,
		sensitivity, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		a.ID, institution, a.RecommendationID, a.Source, a.Status, a.AssessedBy, a.AssessedOn, a.Evidence, int(a.Sensitivity), userID, a.CreatedAt)
	return a, err
}

// Assessments lists the institution's assessments of one recommendation,
// newest first, that role may see.
func Assessments(ctx context.Context, q db.Q, institution, recID string, role access.Role) ([]Assessment, error) {
	rows, err := q.Query(ctx, `SELECT id, recommendation_id, source, status, assessed_by, assessed_on, evidence, sensitivity, created_by, created_at
		FROM rec_assessments WHERE institution_id = ? AND recommendation_id = ? ORDER BY assessed_on DESC, created_at DESC`, institution, recID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Assessment{}
	for rows.Next() {
		var a Assessment
		var lvl int
		if err := rows.Scan(&a.ID, &a.RecommendationID, &a.Source, &a.Status, &a.AssessedBy, &a.AssessedOn, &a.Evidence, &lvl, &a.CreatedBy, &a.CreatedAt); err != nil {
			return nil, err
		}
		a.Sensitivity = sensitivity.Level(lvl)
		if sensitivity.Allows(role.Clearance(), a.Sensitivity) {
			out = append(out, a)
		}
	}
	return out, rows.Err()
}

// AddRiskLink links a recommendation to a risk indicator by its number
// ("9.3"; "RF9.3" is read as 9.3). A link made by a person is confirmed by
// them; confirmedBy "" leaves it a suggestion. When the rules had already
// suggested the same link, a confirmed one confirms that suggestion (with
// the person's rationale) and a suggested one returns it unchanged.
func AddRiskLink(ctx context.Context, q db.Q, institution string, l RiskLink) (RiskLink, error) {
	l.IndicatorCode = strings.TrimSpace(l.IndicatorCode)
	if c := strings.ToUpper(l.IndicatorCode); strings.HasPrefix(c, "RF") {
		l.IndicatorCode = strings.TrimSpace(l.IndicatorCode[2:])
	}
	l.Sensitivity = levelOr(l.Sensitivity)
	if err := IndicatorCodeValid(l.IndicatorCode); err != nil {
		return l, errors.New("give the indicator's number, e.g. 1.3")
	}
	if _, err := Get(ctx, q, Scope{Institution: institution, Clearance: sensitivity.Confidential}, l.RecommendationID); err != nil {
		return l, err
	}
	var oldID string
	err := q.QueryRow(ctx, "SELECT id FROM rec_risk_links WHERE institution_id = ? AND recommendation_id = ? AND indicator_code = ?",
		institution, l.RecommendationID, l.IndicatorCode).Scan(&oldID)
	if err == nil {
		old, err := getLink(ctx, q, institution, oldID)
		if err != nil {
			return l, err
		}
		switch {
		case old.ConfirmedBy != "":
			return old, fmt.Errorf("the recommendation is already linked to indicator %s", l.IndicatorCode)
		case l.ConfirmedBy == "":
			return old, nil
		}
		_, err = q.Exec(ctx, "UPDATE rec_risk_links SET confirmed_by = ?, rationale = ?, sensitivity = ? WHERE institution_id = ? AND id = ?",
			l.ConfirmedBy, l.Rationale, int(l.Sensitivity), institution, oldID)
		l.ID, l.CreatedAt, l.Rule = old.ID, old.CreatedAt, old.Rule
		return l, err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return l, err
	}
	l.ID, l.CreatedAt = db.NewID(), db.Now()
	_, err = q.Exec(ctx, `INSERT INTO rec_risk_links (id, institution_id, recommendation_id, indicator_code, rationale, confirmed_by, sensitivity, created_at)
		VALUES (?,?,?,?,?,?,?,?)`, l.ID, institution, l.RecommendationID, l.IndicatorCode, l.Rationale, l.ConfirmedBy, int(l.Sensitivity), l.CreatedAt)
	return l, err
}

// RiskLinks lists the institution's links of one recommendation.
func RiskLinks(ctx context.Context, q db.Q, institution, recID string, role access.Role) ([]RiskLink, error) {
	rows, err := q.Query(ctx, `SELECT id, recommendation_id, indicator_code, rationale, confirmed_by, sensitivity, created_at, rule
		FROM rec_risk_links WHERE institution_id = ? AND recommendation_id = ? ORDER BY indicator_code`, institution, recID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []RiskLink{}
	for rows.Next() {
		var l RiskLink
		var lvl int
		if err := rows.Scan(&l.ID, &l.RecommendationID, &l.IndicatorCode, &l.Rationale, &l.ConfirmedBy, &lvl, &l.CreatedAt, &l.Rule); err != nil {
			return nil, err
		}
		l.Sensitivity = sensitivity.Level(lvl)
		if sensitivity.Allows(role.Clearance(), l.Sensitivity) {
			out = append(out, l)
		}
	}
	return out, rows.Err()
}

// Event is one line of a recommendation's history for an institution.
type Event struct {
	At   string `json:"at"`
	What string `json:"what"`
}

// History merges the record's own dates with the institution's follow-up
// into one time line, oldest first.
func History(r Recommendation, acts []Action, ass []Assessment, links []RiskLink) []Event {
	ev := []Event{{At: r.CreatedAt, What: "imported from " + r.Source}}
	if r.UpdatedAt != r.CreatedAt {
		ev = append(ev, Event{At: r.UpdatedAt, What: "updated by a newer import from " + r.Source})
	}
	for _, a := range acts {
		ev = append(ev, Event{At: a.CreatedAt, What: "action planned: " + a.Title + " (" + a.Responsible + ")"})
		if a.UpdatedAt != a.CreatedAt {
			ev = append(ev, Event{At: a.UpdatedAt, What: "action " + a.Title + " now " + a.Status})
		}
	}
	for _, a := range ass {
		who := "government's account"
		if a.Source == "nhri" {
			who = "independent assessment"
		}
		ev = append(ev, Event{At: a.CreatedAt, What: who + ": " + a.Status + " (" + a.AssessedBy + ", " + a.AssessedOn + ")"})
	}
	for _, l := range links {
		what := "linked to risk indicator " + l.IndicatorCode
		if l.ConfirmedBy == "" {
			what = "link to risk indicator " + l.IndicatorCode + " suggested (rule " + l.Rule + ")"
		}
		ev = append(ev, Event{At: l.CreatedAt, What: what})
	}
	for i := 1; i < len(ev); i++ {
		for j := i; j > 0 && ev[j].At < ev[j-1].At; j-- {
			ev[j], ev[j-1] = ev[j-1], ev[j]
		}
	}
	return ev
}
