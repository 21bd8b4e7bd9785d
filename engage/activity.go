package engage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"vigil/db"
	"vigil/sensitivity"
)

// Headings of the activity report, after the two parts of the guidance on
// what an institution reports to the Special Adviser's office.
const (
	Internal = "internal" // the institution's own work: reports, training, monitoring, internal measures
	External = "external" // cooperation with external partners
)

// ActivityKinds maps each kind of activity to the report heading it falls under.
var ActivityKinds = []string{"briefing", "submission", "visit", "meeting", "training", "joint_event",
	"good_practice", "proposal", "consultation", "publication", "monitoring", "internal_measure"}

var internalKinds = map[string]bool{"publication": true, "monitoring": true, "internal_measure": true}

// Heading tells under which heading of the report an activity falls.
// Trainings count as internal when no partner took part (staff training)
// and as cooperation when they were given with or for partners.
func Heading(kind string, partners int) string {
	if kind == "training" {
		if partners == 0 {
			return Internal
		}
		return External
	}
	if internalKinds[kind] {
		return Internal
	}
	return External
}

// Statuses an activity moves through.
var Statuses = []string{"planned", "in_progress", "done", "follow_up", "cancelled"}

// LinkKinds are the other parts an activity can point at, by id or code.
var LinkKinds = []string{"risk_factor", "recommendation", "incident", "report", "treaty"}

// Link names a record of another part that an activity concerns.
type Link struct {
	Kind string `json:"kind"`
	Ref  string `json:"ref"`
}

// StatusChange is one step of an activity's history.
type StatusChange struct {
	Status    string `json:"status"`
	Note      string `json:"note,omitempty"`
	ChangedBy string `json:"changed_by"`
	ChangedAt string `json:"changed_at"`
}

// Activity is one piece of engagement work.
type Activity struct {
	ID, InstitutionID    string
	Kind, Title, Summary string
	StartDate, EndDate   string // YYYY-MM-DD; EndDate may be empty
	Status               string
	Outcome              string
	FollowUpDate         string // YYYY-MM-DD or empty
	FollowUp             string // what is to be done then
	Sensitivity          sensitivity.Level
	CreatedBy            string
	CreatedAt, UpdatedAt string

	PartnerIDs []string
	Partners   []Partner // filled by GetActivity/ListActivities, only those the reader may see
	Links      []Link
	History    []StatusChange // filled by GetActivity
}

// Heading is the report heading of the activity.
func (a Activity) Heading() string { return Heading(a.Kind, len(a.PartnerIDs)) }

// ValidDate checks a YYYY-MM-DD date.
func ValidDate(s, field string) error {
	if _, err := time.Parse("2006-01-02", s); err != nil {
		return fmt.Errorf("%s %q: want a date as YYYY-MM-DD", field, s)
	}
	return nil
}

// Validate checks an activity before saving.
func (a *Activity) Validate() error {
	a.Title, a.Summary, a.Outcome, a.FollowUp = strings.TrimSpace(a.Title), strings.TrimSpace(a.Summary), strings.TrimSpace(a.Outcome), strings.TrimSpace(a.FollowUp)
	a.EndDate, a.FollowUpDate = strings.TrimSpace(a.EndDate), strings.TrimSpace(a.FollowUpDate)
	if a.Title == "" {
		return errors.New("title is required")
	}
	if len(a.Title) > 300 || len(a.Summary) > 8000 || len(a.Outcome) > 8000 || len(a.FollowUp) > 2000 {
		return errors.New("title (300), summary or outcome (8000) or follow-up (2000 characters) is too long")
	}
	if err := oneOf(a.Kind, ActivityKinds, "kind"); err != nil {
		return err
	}
	if a.Status == "" {
		a.Status = "planned"
	}
	if err := oneOf(a.Status, Statuses, "status"); err != nil {
		return err
	}
	if err := ValidDate(a.StartDate, "start date"); err != nil {
		return err
	}
	if a.EndDate != "" {
		if err := ValidDate(a.EndDate, "end date"); err != nil {
			return err
		}
		if a.EndDate < a.StartDate {
			return errors.New("the end date is before the start date")
		}
	}
	if a.FollowUpDate != "" {
		if err := ValidDate(a.FollowUpDate, "follow-up date"); err != nil {
			return err
		}
	}
	for i, l := range a.Links {
		a.Links[i].Ref = strings.TrimSpace(l.Ref)
		if err := oneOf(l.Kind, LinkKinds, "link kind"); err != nil {
			return err
		}
		if a.Links[i].Ref == "" || len(a.Links[i].Ref) > 200 {
			return errors.New("a link needs a reference of at most 200 characters")
		}
	}
	return checkLevel(&a.Sensitivity, sensitivity.Internal)
}

// ParseLinks reads links written one per line as "kind: ref" (for example
// "risk_factor: RF8" or "recommendation: 112.4").
func ParseLinks(text string) ([]Link, error) {
	var out []Link
	seen := map[Link]bool{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, ref, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("link %q: write it as kind: reference, kind one of %s", line, strings.Join(LinkKinds, ", "))
		}
		l := Link{Kind: strings.TrimSpace(strings.ToLower(k)), Ref: strings.TrimSpace(ref)}
		if err := oneOf(l.Kind, LinkKinds, "link kind"); err != nil {
			return nil, err
		}
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out, nil
}

// CreateActivity stores an activity of institution inst with its partners
// (each must be one the writer may see), links and first status.
func CreateActivity(ctx context.Context, q db.Q, inst, by string, max sensitivity.Level, a Activity) (Activity, error) {
	if err := a.Validate(); err != nil {
		return Activity{}, err
	}
	seen := map[string]bool{}
	var pids []string
	for _, pid := range a.PartnerIDs {
		if pid == "" || seen[pid] {
			continue
		}
		seen[pid] = true
		if _, err := GetPartner(ctx, q, inst, pid, max); err != nil {
			return Activity{}, fmt.Errorf("partner %s: %w", pid, err)
		}
		pids = append(pids, pid)
	}
	a.PartnerIDs = pids
	a.ID, a.InstitutionID, a.CreatedBy = db.NewID(), inst, by
	a.CreatedAt = db.Now()
	a.UpdatedAt = a.CreatedAt
	if _, err := q.Exec(ctx, `INSERT INTO engage_activities (id, institution_id, kind, title, summary, start_date, end_date, status, outcome,
		follow_up_date, follow_up, sensitivity, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, inst, a.Kind, a.Title, a.Summary, a.StartDate, a.EndDate, a.Status, a.Outcome, a.FollowUpDate, a.FollowUp,
		int(a.Sensitivity), by, a.CreatedAt, a.UpdatedAt); err != nil {
		return Activity{}, err
	}
	for _, pid := range a.PartnerIDs {
		if _, err := q.Exec(ctx, "INSERT INTO engage_activity_partners (institution_id, activity_id, partner_id) VALUES (?, ?, ?)", inst, a.ID, pid); err != nil {
			return Activity{}, err
		}
	}
	for _, l := range a.Links {
		if _, err := q.Exec(ctx, `INSERT INTO engage_activity_links (institution_id, activity_id, kind, ref) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, inst, a.ID, l.Kind, l.Ref); err != nil {
			return Activity{}, err
		}
	}
	err := addStatus(ctx, q, inst, a.ID, a.Status, "recorded", by, a.CreatedAt)
	return a, err
}

func addStatus(ctx context.Context, q db.Q, inst, id, status, note, by, at string) error {
	_, err := q.Exec(ctx, `INSERT INTO engage_activity_status (id, institution_id, activity_id, status, note, changed_by, changed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, db.NewID(), inst, id, status, note, by, at)
	return err
}

// Update is a change of an activity's status, outcome or follow-up.
// Empty fields other than Status keep their value.
type Update struct {
	Status       string
	Note         string
	Outcome      string
	FollowUpDate string
	FollowUp     string
}

// UpdateActivity moves an activity to a new status (kept in its history)
// and records an outcome or follow-up.
func UpdateActivity(ctx context.Context, q db.Q, inst, id, by string, max sensitivity.Level, u Update) (Activity, error) {
	a, err := GetActivity(ctx, q, inst, id, max)
	if err != nil {
		return a, err
	}
	if err := oneOf(u.Status, Statuses, "status"); err != nil {
		return a, err
	}
	if len(u.Note) > 2000 {
		return a, errors.New("the note is longer than 2000 characters")
	}
	if o := strings.TrimSpace(u.Outcome); o != "" {
		a.Outcome = o
	}
	if f := strings.TrimSpace(u.FollowUp); f != "" {
		a.FollowUp = f
	}
	if d := strings.TrimSpace(u.FollowUpDate); d != "" {
		a.FollowUpDate = d
	}
	a.Status = u.Status
	if err := a.Validate(); err != nil {
		return a, err
	}
	a.UpdatedAt = db.Now()
	if _, err := q.Exec(ctx, `UPDATE engage_activities SET status = ?, outcome = ?, follow_up_date = ?, follow_up = ?, updated_at = ?
		WHERE institution_id = ? AND id = ?`, a.Status, a.Outcome, a.FollowUpDate, a.FollowUp, a.UpdatedAt, inst, id); err != nil {
		return a, err
	}
	if err := addStatus(ctx, q, inst, id, a.Status, strings.TrimSpace(u.Note), by, a.UpdatedAt); err != nil {
		return a, err
	}
	return GetActivity(ctx, q, inst, id, max)
}

const activityCols = `id, institution_id, kind, title, summary, start_date, end_date, status, outcome, follow_up_date, follow_up,
	sensitivity, created_by, created_at, updated_at`

func scanActivity(s interface{ Scan(...any) error }) (Activity, error) {
	var a Activity
	var level int64
	err := s.Scan(&a.ID, &a.InstitutionID, &a.Kind, &a.Title, &a.Summary, &a.StartDate, &a.EndDate, &a.Status, &a.Outcome,
		&a.FollowUpDate, &a.FollowUp, &level, &a.CreatedBy, &a.CreatedAt, &a.UpdatedAt)
	a.Sensitivity = sensitivity.Level(level)
	return a, err
}

// GetActivity reads one activity with its partners, links and history.
func GetActivity(ctx context.Context, q db.Q, inst, id string, max sensitivity.Level) (Activity, error) {
	a, err := scanActivity(q.QueryRow(ctx, "SELECT "+activityCols+" FROM engage_activities WHERE institution_id = ? AND id = ?", inst, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !sensitivity.Allows(max, a.Sensitivity)) {
		return Activity{}, ErrNotFound
	}
	if err != nil {
		return a, err
	}
	list := []Activity{a}
	if err := fill(ctx, q, inst, max, list); err != nil {
		return a, err
	}
	a = list[0]
	rows, err := q.Query(ctx, `SELECT status, note, changed_by, changed_at FROM engage_activity_status
		WHERE institution_id = ? AND activity_id = ? ORDER BY changed_at, id`, inst, id)
	if err != nil {
		return a, err
	}
	defer rows.Close()
	for rows.Next() {
		var h StatusChange
		if err := rows.Scan(&h.Status, &h.Note, &h.ChangedBy, &h.ChangedAt); err != nil {
			return a, err
		}
		a.History = append(a.History, h)
	}
	return a, rows.Err()
}

// Filter narrows ListActivities. Empty fields do not filter.
type Filter struct {
	From, To  string // YYYY-MM-DD, inclusive, on the start date
	Kind      string
	Status    string
	PartnerID string
	// FollowFrom and FollowTo select on the follow-up date instead.
	FollowFrom, FollowTo string
}

// ListActivities lists the activities a reader cleared up to max may see,
// by start date.
func ListActivities(ctx context.Context, q db.Q, inst string, max sensitivity.Level, f Filter) ([]Activity, error) {
	where := []string{"institution_id = ?", "sensitivity <= ?"}
	args := []any{inst, int(max)}
	if f.From != "" {
		where, args = append(where, "start_date >= ?"), append(args, f.From)
	}
	if f.To != "" {
		where, args = append(where, "start_date <= ?"), append(args, f.To)
	}
	if f.FollowFrom != "" {
		where, args = append(where, "follow_up_date >= ?"), append(args, f.FollowFrom)
	}
	if f.FollowTo != "" {
		where, args = append(where, "follow_up_date <> ''", "follow_up_date <= ?"), append(args, f.FollowTo)
	}
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, f.Kind)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.PartnerID != "" {
		where = append(where, "id IN (SELECT activity_id FROM engage_activity_partners WHERE institution_id = ? AND partner_id = ?)")
		args = append(args, inst, f.PartnerID)
	}
	rows, err := q.Query(ctx, "SELECT "+activityCols+" FROM engage_activities WHERE "+strings.Join(where, " AND ")+" ORDER BY start_date, id", args...)
	if err != nil {
		return nil, err
	}
	var out []Activity
	for rows.Next() {
		a, err := scanActivity(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out = sensitivity.Filter(max, out, func(a Activity) sensitivity.Level { return a.Sensitivity })
	return out, fill(ctx, q, inst, max, out)
}

// fill adds partners and links to activities, two queries for the lot.
func fill(ctx context.Context, q db.Q, inst string, max sensitivity.Level, acts []Activity) error {
	if len(acts) == 0 {
		return nil
	}
	idx := map[string]int{}
	for i, a := range acts {
		idx[a.ID] = i
	}
	partners, err := ListPartners(ctx, q, inst, sensitivity.Confidential)
	if err != nil {
		return err
	}
	byID := map[string]Partner{}
	for _, p := range partners {
		byID[p.ID] = p
	}
	rows, err := q.Query(ctx, "SELECT activity_id, partner_id FROM engage_activity_partners WHERE institution_id = ? ORDER BY activity_id, partner_id", inst)
	if err != nil {
		return err
	}
	for rows.Next() {
		var aid, pid string
		if err := rows.Scan(&aid, &pid); err != nil {
			rows.Close()
			return err
		}
		if i, ok := idx[aid]; ok {
			acts[i].PartnerIDs = append(acts[i].PartnerIDs, pid)
			if p, ok := byID[pid]; ok && sensitivity.Allows(max, p.Sensitivity) {
				acts[i].Partners = append(acts[i].Partners, p)
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.Query(ctx, "SELECT activity_id, kind, ref FROM engage_activity_links WHERE institution_id = ? ORDER BY activity_id, kind, ref", inst)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var aid string
		var l Link
		if err := rows.Scan(&aid, &l.Kind, &l.Ref); err != nil {
			return err
		}
		if i, ok := idx[aid]; ok {
			acts[i].Links = append(acts[i].Links, l)
		}
	}
	for i := range acts {
		sort.Slice(acts[i].Partners, func(x, y int) bool { return acts[i].Partners[x].Name < acts[i].Partners[y].Name })
	}
	return rows.Err()
}

// Day is one cell of a month calendar.
type Day struct {
	Date       string // YYYY-MM-DD; empty for padding before the 1st
	Number     int
	Activities []Activity // starting or running on this day
	FollowUps  []Activity // with a follow-up due this day
}

// Month is a calendar month as weeks of seven days, Monday first.
type Month struct {
	Year       int
	Month      time.Month
	Weeks      [][7]Day
	Prev, Next string // YYYY-MM
}

// Calendar lays out the activities and follow-ups of one month.
func Calendar(ctx context.Context, q db.Q, inst string, max sensitivity.Level, year int, month time.Month) (Month, error) {
	first := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1)
	m := Month{Year: year, Month: month, Prev: first.AddDate(0, -1, 0).Format("2006-01"), Next: first.AddDate(0, 1, 0).Format("2006-01")}
	// Activities that started up to 92 days before may still be running.
	acts, err := ListActivities(ctx, q, inst, max, Filter{From: first.AddDate(0, 0, -92).Format("2006-01-02"), To: last.Format("2006-01-02")})
	if err != nil {
		return m, err
	}
	follow, err := ListActivities(ctx, q, inst, max, Filter{FollowFrom: first.Format("2006-01-02"), FollowTo: last.Format("2006-01-02")})
	if err != nil {
		return m, err
	}
	offset := (int(first.Weekday()) + 6) % 7 // Monday = 0
	var week [7]Day
	col := offset
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		ds := d.Format("2006-01-02")
		day := Day{Date: ds, Number: d.Day()}
		for _, a := range acts {
			end := a.EndDate
			if end == "" {
				end = a.StartDate
			}
			if a.StartDate <= ds && ds <= end {
				day.Activities = append(day.Activities, a)
			}
		}
		for _, a := range follow {
			if a.FollowUpDate == ds {
				day.FollowUps = append(day.FollowUps, a)
			}
		}
		week[col] = day
		col++
		if col == 7 {
			m.Weeks = append(m.Weeks, week)
			week, col = [7]Day{}, 0
		}
	}
	if col > 0 {
		m.Weeks = append(m.Weeks, week)
	}
	return m, nil
}

// EditActivity replaces what was recorded about an activity: kind, title,
// summary, dates, outcome, follow-up, sensitivity, partners and links. Its
// status moves only through UpdateActivity, so that the history stays true.
// It returns the names of the fields that changed, for the audit trail.
func EditActivity(ctx context.Context, q db.Q, inst, id string, max sensitivity.Level, a Activity) (Activity, []string, error) {
	old, err := GetActivity(ctx, q, inst, id, max)
	if err != nil {
		return old, nil, err
	}
	a.Status = old.Status
	if err := a.Validate(); err != nil {
		return old, nil, err
	}
	if !sensitivity.Allows(max, a.Sensitivity) {
		return old, nil, fmt.Errorf("you may not set a sensitivity above your clearance (%s)", max)
	}
	var pids []string
	seen := map[string]bool{}
	for _, pid := range a.PartnerIDs {
		if pid == "" || seen[pid] {
			continue
		}
		seen[pid] = true
		if _, err := GetPartner(ctx, q, inst, pid, max); err != nil {
			return old, nil, fmt.Errorf("partner %s: %w", pid, err)
		}
		pids = append(pids, pid)
	}
	// Partners the editor may not see stay linked: an edit cannot drop
	// what its author could not see.
	visible := map[string]bool{}
	for _, p := range old.Partners {
		visible[p.ID] = true
	}
	for _, pid := range old.PartnerIDs {
		if !visible[pid] && !seen[pid] {
			pids = append(pids, pid)
		}
	}
	var changed []string
	for _, f := range []struct {
		name     string
		old, new string
	}{{"kind", old.Kind, a.Kind}, {"title", old.Title, a.Title}, {"summary", old.Summary, a.Summary}, {"start_date", old.StartDate, a.StartDate},
		{"end_date", old.EndDate, a.EndDate}, {"outcome", old.Outcome, a.Outcome}, {"follow_up_date", old.FollowUpDate, a.FollowUpDate},
		{"follow_up", old.FollowUp, a.FollowUp}, {"sensitivity", old.Sensitivity.String(), a.Sensitivity.String()},
		{"partners", strings.Join(sortedCopy(old.PartnerIDs), ","), strings.Join(sortedCopy(pids), ",")},
		{"links", linksKey(old.Links), linksKey(a.Links)}} {
		if f.old != f.new {
			changed = append(changed, f.name)
		}
	}
	if len(changed) == 0 {
		return old, nil, nil
	}
	now := db.Now()
	if _, err := q.Exec(ctx, `UPDATE engage_activities SET kind = ?, title = ?, summary = ?, start_date = ?, end_date = ?, outcome = ?,
		follow_up_date = ?, follow_up = ?, sensitivity = ?, updated_at = ? WHERE institution_id = ? AND id = ?`,
		a.Kind, a.Title, a.Summary, a.StartDate, a.EndDate, a.Outcome, a.FollowUpDate, a.FollowUp, int(a.Sensitivity), now, inst, id); err != nil {
		return old, nil, err
	}
	if _, err := q.Exec(ctx, "DELETE FROM engage_activity_partners WHERE institution_id = ? AND activity_id = ?", inst, id); err != nil {
		return old, nil, err
	}
	for _, pid := range pids {
		if _, err := q.Exec(ctx, "INSERT INTO engage_activity_partners (institution_id, activity_id, partner_id) VALUES (?, ?, ?)", inst, id, pid); err != nil {
			return old, nil, err
		}
	}
	if _, err := q.Exec(ctx, "DELETE FROM engage_activity_links WHERE institution_id = ? AND activity_id = ?", inst, id); err != nil {
		return old, nil, err
	}
	for _, l := range a.Links {
		if _, err := q.Exec(ctx, `INSERT INTO engage_activity_links (institution_id, activity_id, kind, ref) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, inst, id, l.Kind, l.Ref); err != nil {
			return old, nil, err
		}
	}
	// Read back with the new level: an editor who lowered nothing still sees it.
	got, err := GetActivity(ctx, q, inst, id, max)
	return got, changed, err
}

func sortedCopy(l []string) []string {
	c := append([]string(nil), l...)
	sort.Strings(c)
	return c
}

func linksKey(ls []Link) string {
	var s []string
	for _, l := range ls {
		s = append(s, l.Kind+":"+l.Ref)
	}
	sort.Strings(s)
	return strings.Join(s, "\n")
}

// LinksText writes links one per line, as ParseLinks reads them.
func LinksText(ls []Link) string {
	var s []string
	for _, l := range ls {
		s = append(s, l.Kind+": "+l.Ref)
	}
	return strings.Join(s, "\n")
}
