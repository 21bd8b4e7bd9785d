package engage

import (
	"context"
	"strings"

	"vigil/access"
	"vigil/db"
	"vigil/recommend"
	"vigil/risk"
	"vigil/sensitivity"
	"vigil/treaty"
)

// OtherWork is what the report draws from the institution's other parts
// for the period: risk assessments published, open follow-up actions on
// recommendations due in the period, and changes in the State's treaty
// participation. Each is held to the report's edition level.
type OtherWork struct {
	Assessments []string `json:"risk_assessments_published"`
	Actions     []string `json:"recommendation_actions_due"`
	Treaties    []string `json:"treaty_changes"`
}

// otherWork reads the other parts inside the report's transaction.
func otherWork(ctx context.Context, q db.Q, inst, from, to string, level sensitivity.Level, today string) (OtherWork, error) {
	var w OtherWork
	in, err := access.GetInstitution(ctx, q, inst)
	if err != nil {
		return w, err
	}
	inPeriod := func(date string) bool {
		if len(date) < 10 {
			return false
		}
		return date[:10] >= from && date[:10] <= to
	}
	as, err := risk.List(ctx, q, inst, level, "")
	if err != nil {
		return w, err
	}
	for _, a := range as {
		if sensitivity.Allows(level, a.Sensitivity) && inPeriod(a.PublishedAt) {
			w.Assessments = append(w.Assessments, a.Title+" ("+a.Country+", "+a.Period+"), published "+a.PublishedAt[:10])
		}
	}
	// The board filters by role: read as the narrowest role that covers
	// the edition, and filter by the edition's level again below.
	reader := access.Partner
	if level == sensitivity.Internal {
		reader = access.Viewer
	}
	acts, err := recommend.Board(ctx, q, inst, reader, today, false)
	if err != nil {
		return w, err
	}
	for _, a := range acts {
		if sensitivity.Allows(level, a.Sensitivity) && inPeriod(a.DueOn) {
			line := a.Title
			if a.Responsible != "" {
				line += " (" + a.Responsible + ")"
			}
			w.Actions = append(w.Actions, line+": due "+a.DueOn+", "+strings.ReplaceAll(a.Status, "_", " "))
		}
	}
	changes, err := treaty.History(ctx, q, in.CountryCode)
	if err != nil {
		return w, err
	}
	for _, c := range changes {
		when := c.AsOf
		if when == "" {
			when = c.ChangedAt
		}
		if inPeriod(when) {
			old := c.Old
			if old == "" {
				old = "none"
			}
			w.Treaties = append(w.Treaties, c.Instrument+": "+strings.ReplaceAll(c.Field, "_", " ")+" "+old+" → "+c.New+" ("+when[:10]+")")
		}
	}
	return w, nil
}
