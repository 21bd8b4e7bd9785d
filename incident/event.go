package incident

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode"

	"vigil/db"
	"vigil/sensitivity"
)

// Event is something that happened at a place over a time: the ESF's event.
// Place and date each carry their precision, because imported data and
// testimony are rarely exact and counts must not pretend they are.
type Event struct {
	ID, InstitutionID string
	Origin            string // "manual", "ucdp-ged", "acled"
	OriginID          string // the id in the source dataset
	Title             string
	Description       string
	Violence          string
	Country           string // ISO 3166-1 alpha-3 when known
	CountryName       string // as the source wrote it
	Region            string // the region within the country the monitoring counts by (first-level area)
	Admin1, Admin2    string
	Place             string
	Latitude          *float64
	Longitude         *float64
	PlacePrecision    int // 0 unknown, 1 exact .. 7 (PlacePrecisions)
	DateStart         string
	DateEnd           string
	DatePrecision     int // 1 exact day .. 5 year known (DatePrecisions)
	SideA, SideB      string
	Fatalities        int
	CivilianDeaths    int
	SourcesText       string
	Status            string
	Sensitivity       sensitivity.Level
	CreatedBy         string
	CreatedAt         string
	UpdatedAt         string
	// WithdrawnAt is set when the record was withdrawn (kept, marked, out
	// of the counts), with the reason given.
	WithdrawnAt, WithdrawnReason string
}

// Validate checks an event before saving and fills defaults.
func (e *Event) Validate() error {
	e.Title = strings.TrimSpace(e.Title)
	if e.Title == "" {
		return invalid("title is required")
	}
	if len(e.Title) > 300 {
		return invalid("title is longer than 300 characters")
	}
	if len(e.Description) > 20000 {
		return invalid("description is longer than 20000 characters")
	}
	if e.Origin == "" {
		e.Origin = "manual"
	}
	if e.Status == "" {
		e.Status = "open"
	}
	if err := oneOf(e.Status, EventStatus, "status"); err != nil {
		return err
	}
	if err := oneOf(e.Violence, Violence, "violence"); err != nil {
		return err
	}
	if err := validDate(e.DateStart, "start date", true); err != nil {
		return err
	}
	if e.DateEnd == "" {
		e.DateEnd = e.DateStart
	}
	if err := validDate(e.DateEnd, "end date", true); err != nil {
		return err
	}
	if e.DateEnd < e.DateStart {
		return invalid("end date %s is before start date %s", e.DateEnd, e.DateStart)
	}
	if e.DatePrecision == 0 {
		e.DatePrecision = 1
	}
	if e.DatePrecision < 1 || e.DatePrecision > 5 {
		return invalid("date precision %d: want 1 (exact day) to 5 (year known)", e.DatePrecision)
	}
	if e.PlacePrecision < 0 || e.PlacePrecision > 7 {
		return invalid("place precision %d: want 0 (unknown) to 7", e.PlacePrecision)
	}
	if (e.Latitude == nil) != (e.Longitude == nil) {
		return invalid("give both latitude and longitude, or neither")
	}
	if e.Latitude != nil && (*e.Latitude < -90 || *e.Latitude > 90 || *e.Longitude < -180 || *e.Longitude > 180) {
		return invalid("coordinates out of range")
	}
	if e.Fatalities < 0 || e.CivilianDeaths < 0 {
		return invalid("counts cannot be negative")
	}
	if e.Region == "" {
		e.Region = e.Admin1
	}
	if e.Sensitivity == 0 {
		e.Sensitivity = sensitivity.Internal
	}
	if !e.Sensitivity.Valid() {
		return invalid("sensitivity %d is not a level", e.Sensitivity)
	}
	return nil
}

func nullFloat(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// CreateEvent stores a new event of institution inst.
func CreateEvent(ctx context.Context, q db.Q, inst, by string, e Event) (Event, error) {
	if err := e.Validate(); err != nil {
		return Event{}, err
	}
	if e.ID == "" {
		e.ID = db.NewID()
	}
	e.InstitutionID, e.CreatedBy = inst, by
	e.CreatedAt = db.Now()
	e.UpdatedAt = e.CreatedAt
	if _, err := q.Exec(ctx, "INSERT INTO events ("+eventCols+") VALUES (?"+strings.Repeat(", ?", 29)+")",
		e.args(e.rowHash())...); err != nil {
		return e, err
	}
	if e.Origin == "manual" {
		return e, indexEventText(ctx, q, inst, e.ID)
	}
	return e, nil
}

const eventCols = `id, institution_id, origin, origin_id, title, description, violence, country, country_name, region, admin1, admin2,
	place, latitude, longitude, place_precision, date_start, date_end, date_precision, side_a, side_b, fatalities, civilian_deaths,
	sources_text, status, sensitivity, row_hash, created_by, created_at, updated_at`

func (e *Event) args(hash string) []any {
	return []any{e.ID, e.InstitutionID, e.Origin, e.OriginID, e.Title, e.Description, e.Violence, e.Country, e.CountryName,
		e.Region, e.Admin1, e.Admin2, e.Place, nullFloat(e.Latitude), nullFloat(e.Longitude), e.PlacePrecision, e.DateStart,
		e.DateEnd, e.DatePrecision, e.SideA, e.SideB, e.Fatalities, e.CivilianDeaths, e.SourcesText, e.Status,
		int(e.Sensitivity), hash, e.CreatedBy, e.CreatedAt, e.UpdatedAt}
}

// eventReadCols are eventCols and the withdrawal mark, as scanEvent reads them.
const eventReadCols = eventCols + ", withdrawn_at, withdrawn_reason"

func scanEvent(s interface{ Scan(...any) error }) (Event, error) {
	var e Event
	var lat, lon sql.NullFloat64
	var level int64
	var hash string
	err := s.Scan(&e.ID, &e.InstitutionID, &e.Origin, &e.OriginID, &e.Title, &e.Description, &e.Violence, &e.Country,
		&e.CountryName, &e.Region, &e.Admin1, &e.Admin2, &e.Place, &lat, &lon, &e.PlacePrecision, &e.DateStart, &e.DateEnd,
		&e.DatePrecision, &e.SideA, &e.SideB, &e.Fatalities, &e.CivilianDeaths, &e.SourcesText, &e.Status, &level, &hash,
		&e.CreatedBy, &e.CreatedAt, &e.UpdatedAt, &e.WithdrawnAt, &e.WithdrawnReason)
	if lat.Valid && lon.Valid {
		e.Latitude, e.Longitude = &lat.Float64, &lon.Float64
	}
	e.Sensitivity = sensitivity.Level(level)
	return e, err
}

// GetEvent reads one event the clearance covers; others are ErrNotFound.
func GetEvent(ctx context.Context, q db.Q, inst, id string, clearance sensitivity.Level) (Event, error) {
	e, err := scanEvent(q.QueryRow(ctx, "SELECT "+eventReadCols+" FROM events WHERE institution_id = ? AND id = ? AND sensitivity <= ?",
		inst, id, int(clearance)))
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, ErrNotFound
	}
	return e, err
}

// EventFilter narrows the event list. Empty fields do not filter.
type EventFilter struct {
	Text     string // words searched in title, description, place and sides
	Country  string
	Region   string
	Violence string
	ActType  string
	UnitID   string
	Origin   string
	From, To string // dates, inclusive
	Limit    int
	Offset   int
}

// Full-text search (migration 0012). The institution's own records (origin
// "manual") are found through a full-text index: FTS5 on SQLite, a GIN
// index over a tsvector on PostgreSQL, both stemming English words.
// Imported rows (UCDP GED, ACLED) are left out of that index, so that a
// large import does not pay for indexing words, and are matched instead by
// every word appearing in their title, description, place or sides
// (a scan of the imported rows the other filters leave).

// eventSearchPG is the tsvector expression of migration 0012's index.
const eventSearchPG = `to_tsvector('english', ` + eventTextSQL + `)`

// searchWords splits a search into words of letters and digits (at most 8).
func searchWords(text string) []string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) > 8 {
		words = words[:8]
	}
	return words
}

// textCondition is the WHERE condition (and its arguments) of a text search.
func textCondition(d db.Dialect, text string) (string, []any) {
	words := searchWords(text)
	if len(words) == 0 {
		return "", nil
	}
	var args []any
	var own string
	if d == db.Postgres {
		own = "origin = 'manual' AND " + eventSearchPG + " @@ plainto_tsquery('english', ?)"
		args = append(args, strings.Join(words, " "))
	} else {
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = `"` + w + `"` // letters and digits only: nothing to escape
		}
		own = "origin = 'manual' AND id IN (SELECT event_id FROM events_fts WHERE events_fts MATCH ?)"
		args = append(args, strings.Join(quoted, " "))
	}
	likes := make([]string, len(words))
	for i, w := range words {
		like := "%" + w + "%"
		likes[i] = "(LOWER(title) LIKE ? OR LOWER(description) LIKE ? OR LOWER(place) LIKE ? OR LOWER(side_a) LIKE ? OR LOWER(side_b) LIKE ?)"
		args = append(args, like, like, like, like, like)
	}
	return "((" + own + ") OR (origin <> 'manual' AND " + strings.Join(likes, " AND ") + "))", args
}

// ListEvents lists the events a clearance covers, newest first, and the
// total number that match (for paging).
func ListEvents(ctx context.Context, q db.Q, inst string, clearance sensitivity.Level, f EventFilter) ([]Event, int, error) {
	scope, args := instDateRange(q.Dialect(), inst, f.From, f.To)
	where := []string{scope, "sensitivity <= ?"}
	args = append(args, int(clearance))
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	if cond, a := textCondition(q.Dialect(), f.Text); cond != "" {
		add(cond, a...)
	}
	if f.Country != "" {
		add("country = ?", f.Country)
	}
	if f.Region != "" {
		add("region = ?", f.Region)
	}
	if f.Violence != "" {
		add("violence = ?", f.Violence)
	}
	if f.Origin != "" {
		add("origin = ?", f.Origin)
	}
	if f.ActType != "" {
		add("id IN (SELECT event_id FROM acts WHERE institution_id = ? AND act_type = ?)", inst, f.ActType)
	}
	if f.UnitID != "" {
		add("id IN (SELECT a.event_id FROM acts a JOIN involvements v ON v.act_id = a.id WHERE v.institution_id = ? AND v.unit_id = ?)", inst, f.UnitID)
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM events WHERE "+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	rows, err := q.Query(ctx, "SELECT "+eventReadCols+" FROM events WHERE "+cond+" ORDER BY "+eventDateKey(q.Dialect())+" DESC, id LIMIT ? OFFSET ?",
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}

// Regions lists the regions that have events the clearance covers, for filters.
func Regions(ctx context.Context, q db.Q, inst string, clearance sensitivity.Level) ([]string, error) {
	scope, args := instDateRange(q.Dialect(), inst, "", "")
	rows, err := q.Query(ctx, "SELECT DISTINCT region FROM events WHERE "+scope+" AND sensitivity <= ? AND region <> '' ORDER BY region",
		append(args, int(clearance))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
