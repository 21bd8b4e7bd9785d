package incident

import (
	"errors"
	"fmt"
	"strings"
)

// gedFormat reads the UCDP Georeferenced Event Dataset (GED) CSV layout.
var gedFormat = format{
	origin:   "ucdp-ged",
	required: []string{"id", "type_of_violence", "country", "date_start", "date_end"},
	parse: func(get func(string) string, e *Event) (string, error) {
		e.OriginID = strings.TrimSpace(get("id"))
		if e.OriginID == "" {
			return "id", errors.New("empty")
		}
		switch strings.TrimSpace(get("type_of_violence")) {
		case "1":
			e.Violence = "state_based"
		case "2":
			e.Violence = "non_state"
		case "3":
			e.Violence = "one_sided"
		default:
			return "type_of_violence", fmt.Errorf("%q: want 1, 2 or 3", get("type_of_violence"))
		}
		e.DateStart, e.DateEnd = strings.TrimSpace(get("date_start")), strings.TrimSpace(get("date_end"))
		if len(e.DateStart) > 10 {
			e.DateStart = e.DateStart[:10] // some releases add a time
		}
		if len(e.DateEnd) > 10 {
			e.DateEnd = e.DateEnd[:10]
		}
		if err := validDate(e.DateStart, "date_start", true); err != nil {
			return "date_start", err
		}
		if err := validDate(e.DateEnd, "date_end", true); err != nil {
			return "date_end", err
		}
		var err error
		if e.DatePrecision, err = atoiField(get("date_prec"), "date_prec", 0, 5); err != nil {
			return "date_prec", err
		}
		if e.PlacePrecision, err = atoiField(get("where_prec"), "where_prec", 0, 7); err != nil {
			return "where_prec", err
		}
		if e.Latitude, err = coord(get("latitude"), 90); err != nil {
			return "latitude", err
		}
		if e.Longitude, err = coord(get("longitude"), 180); err != nil {
			return "longitude", err
		}
		if (e.Latitude == nil) != (e.Longitude == nil) {
			return "longitude", errors.New("latitude without longitude or the reverse")
		}
		if e.Fatalities, err = atoiField(get("best"), "best", 0, 10_000_000); err != nil {
			return "best", err
		}
		if e.CivilianDeaths, err = atoiField(get("deaths_civilians"), "deaths_civilians", 0, 10_000_000); err != nil {
			return "deaths_civilians", err
		}
		e.CountryName = clip(get("country"), 200)
		e.Admin1, e.Admin2 = clip(get("adm_1"), 200), clip(get("adm_2"), 200)
		e.Region = e.Admin1
		e.Place = clip(get("where_coordinates"), 300)
		e.SideA, e.SideB = clip(get("side_a"), 300), clip(get("side_b"), 300)
		e.SourcesText = clip(get("source_office"), 1000)
		e.Description = clip(get("where_description"), 2000)
		title := get("dyad_name")
		if title == "" {
			title = get("conflict_name")
		}
		where := e.Place
		if where == "" {
			where = e.Admin1
		}
		e.Title = clip(strings.TrimSpace(title)+" — "+where, 300)
		e.Status = "monitoring"
		e.Sensitivity = importedLevel
		return "", nil
	},
}
