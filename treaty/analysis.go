package treaty

import (
	"context"
	"sort"
	"strings"

	"vigil/country"
	"vigil/db"
	"vigil/sensitivity"
)

// Summary is what the instrument page and "vigil treaty instrument" show.
type Summary struct {
	Instrument
	AsOf        string      `json:"as_of"`
	Parties     int         `json:"parties"`
	Signatories int         `json:"signatories"`
	Withdrawn   int         `json:"withdrawn"`
	ByYear      []YearCount `json:"parties_by_year"`
}

// YearCount is the number of parties at the end of a year.
type YearCount struct {
	Year    int `json:"year"`
	Parties int `json:"parties"`
}

// Summarise counts an instrument's parties and signatories as of the
// latest data, and its parties at the end of each year since the first.
func Summarise(ctx context.Context, q db.Q, id string) (Summary, error) {
	in, err := GetInstrument(ctx, q, id)
	if err != nil {
		return Summary{}, err
	}
	parts, err := InstrumentParticipation(ctx, q, id)
	if err != nil {
		return Summary{}, err
	}
	return summarise(in, parts), nil
}

func summarise(in Instrument, parts []Participation) Summary {
	s := Summary{Instrument: in, ByYear: []YearCount{}}
	first, last := 0, 0
	for _, p := range parts {
		if p.AsOf > s.AsOf {
			s.AsOf = p.AsOf
		}
		switch p.Status() {
		case "party":
			s.Parties++
		case "signatory":
			s.Signatories++
		case "withdrawn":
			s.Withdrawn++
		}
		if y := year(p.ConsentDate); y > 0 && (first == 0 || y < first) {
			first = y
		}
		if y := year(p.AsOf); y > last {
			last = y
		}
	}
	if first > 0 {
		for y := first; y <= last; y++ {
			end := itoa4(y) + "-12-31"
			n := 0
			for _, p := range parts {
				if p.ConsentDate != "" && p.Party(end) {
					n++
				}
			}
			s.ByYear = append(s.ByYear, YearCount{Year: y, Parties: n})
		}
	}
	return s
}

func year(d string) int {
	if len(d) < 4 {
		return 0
	}
	n := 0
	for _, c := range d[:4] {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func itoa4(y int) string {
	b := []byte("0000")
	for i := 3; i >= 0; i-- {
		b[i] = byte('0' + y%10)
		y /= 10
	}
	return string(b)
}

// StateInstrument is one line of a State profile.
type StateInstrument struct {
	ID          string `json:"id"`
	ShortName   string `json:"short_name"`
	Category    string `json:"category"`
	Status      string `json:"status"` // party, signatory, withdrawn, none
	Date        string `json:"date,omitempty"`
	ConsentType string `json:"consent_type,omitempty"`
	Signed      string `json:"signature_date,omitempty"`
	Reserved    bool   `json:"reservations"`
	Source      string `json:"source,omitempty"`
	AsOf        string `json:"as_of,omitempty"`
}

// ProcedureStatus is where a State stands on one optional procedure.
type ProcedureStatus struct {
	Procedure
	// Status: accepted, not_accepted, withdrawn, applies (opt-out procedure
	// not opted out of), not_party (the instrument itself is not ratified).
	Status     string `json:"status"`
	Confirmed  bool   `json:"confirmed"`  // a person of the institution confirmed it
	Suggested  string `json:"suggested"`  // what the importer read in a declaration, unconfirmed
	Acceptance string `json:"acceptance"` // id of the confirmation
}

// Gap is one thing the State has not done.
type Gap struct {
	Kind       string   `json:"kind"` // not_ratified, not_accepted, reserved, not_implemented, not_assessed
	Subject    string   `json:"subject"`
	Label      string   `json:"label"`
	Detail     string   `json:"detail,omitempty"`
	Indicators []string `json:"indicators"`
}

// Profile is everything known about one State.
type Profile struct {
	State        string            `json:"state"`
	Name         string            `json:"name"`
	Region       string            `json:"region"`
	Instruments  []StateInstrument `json:"instruments"`
	Procedures   []ProcedureStatus `json:"procedures"`
	Checklist    []CheckLine       `json:"checklist"`
	Declarations []Declaration     `json:"declarations"`
	Gaps         []Gap             `json:"gaps"`
	History      []Change          `json:"history"`
}

// CheckLine is a checklist item with the institution's answer, if any.
type CheckLine struct {
	ChecklistItem
	Entry *CheckEntry `json:"entry,omitempty"`
}

// BuildProfile assembles a State's profile. inst is the institution whose
// confirmations and checklist count ("" for reference data only), and
// clearance filters those records.
func BuildProfile(ctx context.Context, q db.Q, state, inst string, clearance sensitivity.Level) (Profile, error) {
	pr := Profile{State: state, Name: state}
	var c country.Country
	err := q.QueryRow(ctx, "SELECT code, name, region FROM countries WHERE code = ?", state).Scan(&c.Code, &c.Name, &c.Region)
	if err == nil {
		pr.Name, pr.Region = c.Name, c.Region
	}
	instruments, err := Instruments(ctx, q)
	if err != nil {
		return pr, err
	}
	parts, err := StateParticipation(ctx, q, state)
	if err != nil {
		return pr, err
	}
	if pr.Declarations, err = Declarations(ctx, q, state); err != nil {
		return pr, err
	}
	if pr.History, err = History(ctx, q, state); err != nil {
		return pr, err
	}
	var accs []Acceptance
	var checks []CheckEntry
	if inst != "" {
		if accs, err = Acceptances(ctx, q, inst, state, clearance); err != nil {
			return pr, err
		}
		if checks, err = CheckEntries(ctx, q, inst, state, clearance); err != nil {
			return pr, err
		}
	}
	withData := map[string]bool{}
	// One index probe per instrument, not a scan of every participation.
	rows, err := q.Query(ctx, `SELECT i.id FROM treaty_instruments i
		WHERE EXISTS (SELECT 1 FROM treaty_participation p WHERE p.instrument_id = i.id)`)
	if err != nil {
		return pr, err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return pr, err
		}
		withData[id] = true
	}
	rows.Close()
	analyse(&pr, instruments, withData, parts, accs, checks)
	return pr, nil
}

// analyse turns the records into statuses and gaps. An instrument for which
// the store holds no participation of any State (the Geneva Conventions
// before an ICRC list is loaded, say) has status "no_data" and no gap: its
// absence says nothing about the State.
func analyse(pr *Profile, instruments []Instrument, withData map[string]bool, parts []Participation, accs []Acceptance, checks []CheckEntry) {
	byInst := map[string]Participation{}
	for _, p := range parts {
		byInst[p.Instrument] = p
	}
	reserved := map[string]bool{}
	suggested := map[string]string{}
	for _, d := range pr.Declarations {
		if d.Section == "reservations" && !declarationRequired[d.Instrument] {
			reserved[d.Instrument] = true
		}
		for _, s := range d.Suggested {
			code, status, _ := strings.Cut(s, ":")
			if status == "" {
				status = "accepted"
			}
			suggested[code] = status
		}
	}
	category := map[string]string{}
	pr.Instruments = []StateInstrument{}
	pr.Gaps = []Gap{}
	for _, in := range instruments {
		category[in.ID] = in.Category
		p := byInst[in.ID]
		si := StateInstrument{ID: in.ID, ShortName: in.ShortName, Category: in.Category, Status: p.Status(), Date: p.ConsentDate,
			ConsentType: p.ConsentType, Signed: p.SignatureDate, Reserved: reserved[in.ID], Source: p.Source, AsOf: p.AsOf}
		if si.Status == "signatory" {
			si.Date = p.SignatureDate
		}
		if si.Status == "withdrawn" {
			si.Date = p.WithdrawalDate
		}
		if si.Status == "none" && !withData[in.ID] {
			si.Status = "no_data"
		}
		pr.Instruments = append(pr.Instruments, si)
		switch si.Status {
		case "no_data":
		case "party":
			if si.Reserved {
				pr.Gaps = append(pr.Gaps, Gap{Kind: "reserved", Subject: in.ID, Label: in.ShortName + ": reservations or declarations on record",
					Detail: "Read the text to judge whether it limits the treaty's effect.", Indicators: []string{"3.1"}})
			}
		case "signatory":
			pr.Gaps = append(pr.Gaps, Gap{Kind: "not_ratified", Subject: in.ID, Label: in.ShortName + ": signed on " + p.SignatureDate + ", not ratified",
				Indicators: notRatifiedIndicators(in.Category)})
		case "withdrawn":
			pr.Gaps = append(pr.Gaps, Gap{Kind: "not_ratified", Subject: in.ID, Label: in.ShortName + ": withdrew on " + p.WithdrawalDate,
				Indicators: notRatifiedIndicators(in.Category)})
		default:
			pr.Gaps = append(pr.Gaps, Gap{Kind: "not_ratified", Subject: in.ID, Label: in.ShortName + ": not ratified", Indicators: notRatifiedIndicators(in.Category)})
		}
	}
	confirmed := map[string]Acceptance{}
	for _, a := range accs {
		confirmed[a.Procedure] = a
	}
	pr.Procedures = []ProcedureStatus{}
	for _, proc := range Procedures {
		if _, known := category[proc.Instrument]; !known {
			continue
		}
		ps := ProcedureStatus{Procedure: proc, Suggested: suggested[proc.Code]}
		party := byInst[proc.Instrument].Party("")
		a, ok := confirmed[proc.Code]
		switch {
		case ok:
			ps.Status, ps.Confirmed, ps.Acceptance = a.Status, true, a.ID
		case !party:
			ps.Status = "not_party"
		case proc.Mode == "by_party":
			ps.Status = "accepted"
		case proc.Mode == "opt_out":
			ps.Status = "applies"
		default:
			ps.Status = "not_accepted"
		}
		if !party && proc.Mode == "by_party" {
			ps.Status = "not_party"
		}
		pr.Procedures = append(pr.Procedures, ps)
		if !party {
			continue // the not-ratified gap covers it
		}
		switch {
		case ps.Status == "not_accepted" || ps.Status == "withdrawn":
			label := proc.Label + ": not accepted"
			if proc.Mode == "opt_out" {
				label = proc.Label + ": reserved or opted out"
			}
			if ps.Status == "withdrawn" {
				label = proc.Label + ": acceptance withdrawn"
			}
			detail := ""
			if !ps.Confirmed && ps.Suggested != "" {
				detail = "A declaration on record may say otherwise; confirm it from its text."
			}
			kind := "not_accepted"
			if proc.Mode == "opt_out" {
				kind = "reserved"
			}
			if !ps.Confirmed && ps.Suggested == "accepted" {
				// The text seems to accept it: a gap in the record, not
				// (yet) in the State's conduct.
				kind, label = "unconfirmed", proc.Label+": the declaration's text suggests it was accepted; confirm it"
				detail = ""
			}
			pr.Gaps = append(pr.Gaps, Gap{Kind: kind, Subject: proc.Code, Label: label, Detail: detail, Indicators: proc.Indicators})
		case ps.Status == "applies" && ps.Suggested == "not_accepted":
			pr.Gaps = append(pr.Gaps, Gap{Kind: "reserved", Subject: proc.Code, Label: proc.Label + ": a reservation on record seems to exclude it",
				Detail: "Suggested from the reservation's text; confirm it.", Indicators: proc.Indicators})
		}
	}
	entries := map[string]CheckEntry{}
	for _, c := range checks {
		entries[c.Item] = c
	}
	pr.Checklist = []CheckLine{}
	for _, item := range Checklist {
		line := CheckLine{ChecklistItem: item}
		e, ok := entries[item.Code]
		if ok {
			line.Entry = &e
		}
		pr.Checklist = append(pr.Checklist, line)
		switch {
		case !ok || e.Status == "unknown":
			pr.Gaps = append(pr.Gaps, Gap{Kind: "not_assessed", Subject: item.Code, Label: item.Label + ": not assessed yet", Indicators: item.Indicators})
		case e.Status == "no" || e.Status == "partly":
			pr.Gaps = append(pr.Gaps, Gap{Kind: "not_implemented", Subject: item.Code, Label: item.Label + ": " + map[string]string{"no": "no", "partly": "only in part"}[e.Status],
				Detail: e.Evidence, Indicators: item.Indicators})
		}
	}
	sort.SliceStable(pr.Gaps, func(i, j int) bool { return gapRank(pr.Gaps[i].Kind) < gapRank(pr.Gaps[j].Kind) })
}

// declarationRequired names instruments whose every party must declare
// something (OPAC art. 3(2): the minimum age of voluntary recruitment), so
// that a declaration on record is not a sign of a reservation.
var declarationRequired = map[string]bool{"crc_op_ac": true}

var gapKinds = []string{"not_ratified", "not_accepted", "reserved", "unconfirmed", "not_implemented", "not_assessed"}

func gapRank(k string) int {
	for i, x := range gapKinds {
		if x == k {
			return i
		}
	}
	return len(gapKinds)
}

// GapKinds lists the kinds of gap in the order they are shown.
func GapKinds() []string { return append([]string(nil), gapKinds...) }

// Comparison is how many States of the region and of the world are parties
// to each instrument, beside the State's own status.
type Comparison struct {
	State        string           `json:"state"`
	Region       string           `json:"region"`
	RegionStates int              `json:"region_states"`
	WorldStates  int              `json:"world_states"`
	Lines        []ComparisonLine `json:"instruments"`
}

// ComparisonLine is one instrument of a comparison.
type ComparisonLine struct {
	ID            string `json:"id"`
	ShortName     string `json:"short_name"`
	StateStatus   string `json:"state_status"`
	RegionParties int    `json:"region_parties"`
	WorldParties  int    `json:"world_parties"`
}

// Compare counts parties per instrument in the State's region (UN M49) and
// in the world (every State in the country list).
func Compare(ctx context.Context, q db.Q, state string, instruments []Instrument) (Comparison, error) {
	cmp := Comparison{State: state, Lines: []ComparisonLine{}}
	// The denominators are the States that appear in the treaty data (UNTC
	// lists every State that ever signed anything), not every territory of
	// the ISO list, which would make universal treaties look half-ratified.
	// One probe of the (state, instrument) key per country.
	regionOf := map[string]string{}
	var inData []string
	rows, err := q.Query(ctx, `SELECT c.code, c.region, CASE WHEN EXISTS (SELECT 1 FROM treaty_participation p WHERE p.state = c.code)
		THEN 1 ELSE 0 END FROM countries c`)
	if err != nil {
		return cmp, err
	}
	for rows.Next() {
		var code, region string
		var present int
		if err := rows.Scan(&code, &region, &present); err != nil {
			rows.Close()
			return cmp, err
		}
		regionOf[code] = region
		if present == 1 {
			inData = append(inData, code)
		}
	}
	rows.Close()
	cmp.Region = regionOf[state]
	for _, st := range inData {
		cmp.WorldStates++
		if r := regionOf[st]; r == cmp.Region && r != "" {
			cmp.RegionStates++
		}
	}
	// Two aggregates that SQLite answers inside the engine: the world's
	// parties per instrument, and the region's, driven by the region's
	// States and the (state, instrument) key.
	world, region := map[string]int{}, map[string]int{}
	count := func(into map[string]int, query string, args ...any) error {
		rows, err := q.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			into[id] = n
		}
		return rows.Err()
	}
	const party = `(p.consent_date <> '' OR p.consent_type <> '') AND p.withdrawal_date = ''`
	if err := count(world, `SELECT p.instrument_id, COUNT(*) FROM treaty_participation p WHERE `+party+` GROUP BY p.instrument_id`); err != nil {
		return cmp, err
	}
	if cmp.Region != "" {
		// CROSS JOIN keeps SQLite's join order: the region's countries
		// first, then each one's rows by the (state, instrument) key.
		if err := count(region, `SELECT p.instrument_id, COUNT(*) FROM countries c CROSS JOIN treaty_participation p
			WHERE p.state = c.code AND c.region = ? AND `+party+` GROUP BY p.instrument_id`, cmp.Region); err != nil {
			return cmp, err
		}
	}
	own := map[string]string{}
	parts, err := StateParticipation(ctx, q, state)
	if err != nil {
		return cmp, err
	}
	for _, p := range parts {
		own[p.Instrument] = p.Status()
	}
	for _, in := range instruments {
		st := own[in.ID]
		if st == "" {
			st = "none"
		}
		cmp.Lines = append(cmp.Lines, ComparisonLine{ID: in.ID, ShortName: in.ShortName, StateStatus: st, RegionParties: region[in.ID], WorldParties: world[in.ID]})
	}
	return cmp, nil
}

// GapsByIndicator groups a profile's gaps by the Framework indicator code
// they bear on ("3.1", "6.7"...), for the risk pages and the annual report's
// treaty annex, which join on the code text.
func (p Profile) GapsByIndicator() map[string][]Gap {
	out := map[string][]Gap{}
	for _, g := range p.Gaps {
		for _, code := range g.Indicators {
			out[code] = append(out[code], g)
		}
	}
	return out
}
