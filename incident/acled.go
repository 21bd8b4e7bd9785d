package incident

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// acledFormat reads the ACLED export layout. Missing values are the text
// "NA"; actor types may be numbers (inter1/inter2) or, in newer exports, text.
var acledFormat = format{
	origin:   "acled",
	required: []string{"event_id_cnty", "event_date", "event_type", "country"},
	parse: func(get func(string) string, e *Event) (string, error) {
		na := func(name string) string {
			v := strings.TrimSpace(get(name))
			if strings.EqualFold(v, "NA") {
				return ""
			}
			return v
		}
		e.OriginID = na("event_id_cnty")
		if e.OriginID == "" {
			return "event_id_cnty", errors.New("empty")
		}
		d := na("event_date")
		var t time.Time
		var err error
		for _, layout := range []string{"2 January 2006", "02 January 2006", "2006-01-02", "02-January-2006"} {
			if t, err = time.Parse(layout, d); err == nil {
				break
			}
		}
		if err != nil {
			return "event_date", fmt.Errorf("%q: want a date like 28 December 2022", d)
		}
		e.DateStart = t.Format("2006-01-02")
		e.DateEnd = e.DateStart
		prec, err := atoiField(na("time_precision"), "time_precision", 0, 3)
		if err != nil {
			return "time_precision", err
		}
		e.DatePrecision = []int{1, 1, 3, 4}[prec] // exact day, week, month
		geo, err := atoiField(na("geo_precision"), "geo_precision", 0, 3)
		if err != nil {
			return "geo_precision", err
		}
		e.PlacePrecision = []int{0, 1, 2, 4}[geo]
		if e.Latitude, err = coord(na("latitude"), 90); err != nil {
			return "latitude", err
		}
		if e.Longitude, err = coord(na("longitude"), 180); err != nil {
			return "longitude", err
		}
		if (e.Latitude == nil) != (e.Longitude == nil) {
			return "longitude", errors.New("latitude without longitude or the reverse")
		}
		if e.Fatalities, err = atoiField(na("fatalities"), "fatalities", 0, 10_000_000); err != nil {
			return "fatalities", err
		}
		evType, sub := na("event_type"), na("sub_event_type")
		state := acledState(na("inter1")) || acledState(na("inter2"))
		switch {
		case strings.EqualFold(evType, "Violence against civilians") || na("civilian_targeting") != "":
			e.Violence = "one_sided"
		case strings.EqualFold(evType, "Battles") && state:
			e.Violence = "state_based"
		case strings.EqualFold(evType, "Battles"):
			e.Violence = "non_state"
		case (strings.EqualFold(evType, "Protests") || strings.EqualFold(evType, "Riots")) &&
			(strings.Contains(strings.ToLower(sub), "excessive force") || strings.Contains(strings.ToLower(sub), "intervention")):
			e.Violence = "repression_of_protest"
		case evType == "":
			return "event_type", errors.New("empty")
		default:
			e.Violence = "other"
		}
		if e.Violence == "one_sided" {
			e.CivilianDeaths = e.Fatalities
		}
		e.CountryName = clip(na("country"), 200)
		e.Admin1, e.Admin2 = clip(na("admin1"), 200), clip(na("admin2"), 200)
		e.Region = e.Admin1
		e.Place = clip(na("location"), 300)
		e.SideA, e.SideB = clip(na("actor1"), 300), clip(na("actor2"), 300)
		e.SourcesText = clip(na("source"), 1000)
		e.Description = clip(na("notes"), 4000)
		title := evType
		if sub != "" {
			title = sub
		}
		e.Title = clip(title+" — "+e.Place, 300)
		e.Status = "monitoring"
		e.Sensitivity = importedLevel
		return "", nil
	},
}

// acledState reports whether an actor type is state forces: code 1, or the
// text newer exports write.
func acledState(s string) bool {
	return s == "1" || strings.HasPrefix(strings.ToLower(s), "state forces")
}
