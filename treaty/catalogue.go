package treaty

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Instrument is one treaty (or protocol, amendment, or set of declarations
// such as the ICJ optional clause) in the catalogue.
type Instrument struct {
	ID                  string `json:"id"`
	ShortName           string `json:"short_name"`
	Title               string `json:"title"`
	Category            string `json:"category"`
	UNTCID              string `json:"untc_id"`
	OtherRef            string `json:"other_ref,omitempty"`
	Depositary          string `json:"depositary,omitempty"`
	Adopted             string `json:"adopted,omitempty"`
	EntryIntoForce      string `json:"entry_into_force,omitempty"`
	MonitoringBody      string `json:"monitoring_body,omitempty"`
	OptionalAcceptances string `json:"optional_acceptances,omitempty"`
	Source              string `json:"source,omitempty"`
	AddedBy             string `json:"added_by,omitempty"`
}

// Categories, in the order pages show them.
var Categories = []string{"core_hr", "core_hr_op", "atrocity", "icl", "ihl", "refugee", "arms", "dispute_settlement", "regional", "other"}

// ErrInput marks an error in what a person typed; the message says what.
type ErrInput struct{ Msg string }

func (e ErrInput) Error() string { return e.Msg }

func inputf(format string, a ...any) error { return ErrInput{fmt.Sprintf(format, a...)} }

// IsInput reports whether err is a mistake in the input rather than a failure.
func IsInput(err error) bool { var e ErrInput; return errors.As(err, &e) }

var (
	idPattern   = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)
	datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	statePatt   = regexp.MustCompile(`^[A-Z]{3}$`)
)

// ValidState reports whether s looks like an ISO 3166-1 alpha-3 code.
func ValidState(s string) bool { return statePatt.MatchString(s) }

func validDate(s string) bool { return s == "" || datePattern.MatchString(s) }

// Check validates an instrument a person adds or edits.
func (in *Instrument) Check() error {
	in.ID = strings.TrimSpace(in.ID)
	in.ShortName = strings.TrimSpace(in.ShortName)
	in.Title = strings.TrimSpace(in.Title)
	switch {
	case !idPattern.MatchString(in.ID):
		return inputf("the id must be 2 to 40 lower-case letters, digits or _ and start with a letter (e.g. \"achpr_protocol\")")
	case in.ShortName == "" || len(in.ShortName) > 80:
		return inputf("give a short name of at most 80 characters")
	case in.Title == "" || len(in.Title) > 500:
		return inputf("give the title (at most 500 characters)")
	case !validDate(in.Adopted):
		return inputf("the adoption date must be YYYY-MM-DD")
	case !validDate(in.EntryIntoForce) && !strings.Contains(in.EntryIntoForce, " "):
		return inputf("the entry into force must be YYYY-MM-DD or a short explanation")
	}
	if in.Category == "" {
		in.Category = "other"
	}
	ok := false
	for _, c := range Categories {
		ok = ok || c == in.Category
	}
	if !ok {
		return inputf("unknown category %q", in.Category)
	}
	return nil
}

// Procedure is an optional procedure of an instrument: a way for individuals,
// other States or a committee to bring the State to account that the State
// must accept separately (by declaration), that comes with being a party
// (by_party), or that applies unless the State opted out (opt_out).
type Procedure struct {
	Code       string   `json:"code"`
	Instrument string   `json:"instrument"`
	Article    string   `json:"article"`
	Kind       string   `json:"kind"` // individual, inter_state, inquiry, jurisdiction, fact_finding
	Mode       string   `json:"mode"` // declaration, by_party, opt_out
	Label      string   `json:"label"`
	Indicators []string `json:"indicators"`
	// match finds the article in a declaration's text ("article 22", "art. 22").
	match *regexp.Regexp
}

func art(n string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)\bart(?:icle|\.)?s?\s*(?:[0-9ivx]+(?:\s*\([0-9]+\))?\s*(?:,|and|&)\s*)*` + n + `\b`)
}

// Procedures lists the optional procedures the monitor follows. Framework of
// Analysis indicators are named by their code text: 6.7 (cooperation with
// human rights mechanisms), 3.6 (remedies and oversight), 3.1 (legal
// protection), 2.3 (impunity).
var Procedures = []Procedure{
	{Code: "cerd.art14", Instrument: "cerd", Article: "14", Kind: "individual", Mode: "declaration", Label: "CERD art. 14: individual communications", Indicators: []string{"6.7", "3.6"}, match: art("14")},
	{Code: "cat.art22", Instrument: "cat", Article: "22", Kind: "individual", Mode: "declaration", Label: "CAT art. 22: individual communications", Indicators: []string{"6.7", "3.6"}, match: art("22")},
	{Code: "cat.art21", Instrument: "cat", Article: "21", Kind: "inter_state", Mode: "declaration", Label: "CAT art. 21: inter-State communications", Indicators: []string{"6.7"}, match: art("21")},
	{Code: "cat.art20", Instrument: "cat", Article: "20", Kind: "inquiry", Mode: "opt_out", Label: "CAT art. 20: inquiry (unless opted out under art. 28)", Indicators: []string{"6.7"}, match: art("28")},
	{Code: "iccpr.art41", Instrument: "iccpr", Article: "41", Kind: "inter_state", Mode: "declaration", Label: "ICCPR art. 41: inter-State communications", Indicators: []string{"6.7"}, match: art("41")},
	{Code: "iccpr_op1", Instrument: "iccpr_op1", Article: "1", Kind: "individual", Mode: "by_party", Label: "ICCPR First Optional Protocol: individual communications", Indicators: []string{"6.7", "3.6"}},
	{Code: "cedaw_op", Instrument: "cedaw_op", Article: "2", Kind: "individual", Mode: "by_party", Label: "OP-CEDAW: individual communications", Indicators: []string{"6.7", "3.6"}},
	{Code: "cedaw_op.art8", Instrument: "cedaw_op", Article: "8", Kind: "inquiry", Mode: "opt_out", Label: "OP-CEDAW art. 8: inquiry (unless opted out under art. 10)", Indicators: []string{"6.7"}, match: art("10")},
	{Code: "icescr_op", Instrument: "icescr_op", Article: "2", Kind: "individual", Mode: "by_party", Label: "OP-ICESCR: individual communications", Indicators: []string{"6.7", "3.6"}},
	{Code: "icescr_op.art10", Instrument: "icescr_op", Article: "10", Kind: "inter_state", Mode: "declaration", Label: "OP-ICESCR art. 10: inter-State communications", Indicators: []string{"6.7"}, match: art("10")},
	{Code: "icescr_op.art11", Instrument: "icescr_op", Article: "11", Kind: "inquiry", Mode: "declaration", Label: "OP-ICESCR art. 11: inquiry", Indicators: []string{"6.7"}, match: art("11")},
	{Code: "crc_op_ic", Instrument: "crc_op_ic", Article: "5", Kind: "individual", Mode: "by_party", Label: "OPIC: individual communications about children", Indicators: []string{"6.7", "3.6"}},
	{Code: "crpd_op", Instrument: "crpd_op", Article: "1", Kind: "individual", Mode: "by_party", Label: "OP-CRPD: individual communications", Indicators: []string{"6.7", "3.6"}},
	{Code: "ced.art31", Instrument: "ced", Article: "31", Kind: "individual", Mode: "declaration", Label: "CED art. 31: individual communications", Indicators: []string{"6.7", "3.6"}, match: art("31")},
	{Code: "ced.art32", Instrument: "ced", Article: "32", Kind: "inter_state", Mode: "declaration", Label: "CED art. 32: inter-State communications", Indicators: []string{"6.7"}, match: art("32")},
	{Code: "cmw.art77", Instrument: "cmw", Article: "77", Kind: "individual", Mode: "declaration", Label: "CMW art. 77: individual communications", Indicators: []string{"6.7", "3.6"}, match: art("77")},
	{Code: "cmw.art76", Instrument: "cmw", Article: "76", Kind: "inter_state", Mode: "declaration", Label: "CMW art. 76: inter-State communications", Indicators: []string{"6.7"}, match: art("76")},
	{Code: "genocide.art9", Instrument: "genocide", Article: "IX", Kind: "jurisdiction", Mode: "opt_out", Label: "Genocide Convention art. IX: disputes go to the ICJ (unless reserved)", Indicators: []string{"3.1", "6.5"}, match: art("IX")},
	{Code: "ap1.art90", Instrument: "ap1", Article: "90", Kind: "fact_finding", Mode: "declaration", Label: "Additional Protocol I art. 90: International Humanitarian Fact-Finding Commission", Indicators: []string{"6.7"}, match: art("90")},
}

// ProcedureByCode finds a procedure.
func ProcedureByCode(code string) (Procedure, bool) {
	for _, p := range Procedures {
		if p.Code == code {
			return p, true
		}
	}
	return Procedure{}, false
}

// ChecklistItem is one question of the implementation checklist.
type ChecklistItem struct {
	Code       string   `json:"code"`
	Label      string   `json:"label"`
	Indicators []string `json:"indicators"`
}

// Checklist is what an institution checks in national law and practice.
var Checklist = []ChecklistItem{
	{Code: "crime_genocide", Label: "Genocide is a crime in national law", Indicators: []string{"3.1", "2.3"}},
	{Code: "crime_cah", Label: "Crimes against humanity are crimes in national law", Indicators: []string{"3.1", "2.3"}},
	{Code: "crime_war", Label: "War crimes are crimes in national law", Indicators: []string{"3.1", "2.3"}},
	{Code: "crime_torture", Label: "Torture is a separate crime in national law, with penalties that fit its gravity", Indicators: []string{"3.1", "2.3"}},
	{Code: "crime_disappearance", Label: "Enforced disappearance is a separate crime in national law", Indicators: []string{"3.1", "2.3"}},
	{Code: "no_limitation", Label: "No statute of limitations for atrocity crimes", Indicators: []string{"2.3", "3.1"}},
	{Code: "universal_jurisdiction", Label: "Courts may try atrocity crimes committed abroad (universal jurisdiction)", Indicators: []string{"2.3", "3.6"}},
	{Code: "icc_cooperation", Label: "A law on cooperation with the International Criminal Court is in force", Indicators: []string{"2.3", "6.5"}},
	{Code: "npm", Label: "A national preventive mechanism against torture is designated and working", Indicators: []string{"3.6", "6.7"}},
	{Code: "standing_invitation", Label: "Standing invitation to the UN special procedures", Indicators: []string{"6.7"}},
	{Code: "reports_current", Label: "No report to a treaty body is overdue", Indicators: []string{"6.7"}},
	{Code: "follow_up", Label: "A national mechanism follows up recommendations of the UN mechanisms", Indicators: []string{"6.7"}},
}

// ChecklistByCode finds a checklist item.
func ChecklistByCode(code string) (ChecklistItem, bool) {
	for _, c := range Checklist {
		if c.Code == code {
			return c, true
		}
	}
	return ChecklistItem{}, false
}

// ChecklistStatuses are the answers a checklist item takes.
var ChecklistStatuses = []string{"yes", "partly", "no", "unknown"}

// AcceptanceStatuses are what a person may confirm about a procedure.
var AcceptanceStatuses = []string{"accepted", "not_accepted", "withdrawn"}

// notRatifiedIndicators names the Framework indicators that a missing
// ratification bears on, by category.
func notRatifiedIndicators(category string) []string {
	switch category {
	case "atrocity", "icl":
		return []string{"3.1", "6.5", "2.3"}
	case "refugee":
		return []string{"3.1", "6.5", "6.10"}
	case "arms":
		return []string{"6.5", "7.4"}
	default:
		return []string{"3.1", "6.5"}
	}
}

// IndicatorLabels paraphrases the Framework indicators the gaps name, for
// pages. The risk package owns the Framework itself; this is only a caption.
var IndicatorLabels = map[string]string{
	"2.3":  "impunity for serious violations",
	"3.1":  "weak legal protection, including treaties not ratified or not in national law",
	"3.6":  "weak oversight and accountability, including remedies for victims",
	"6.5":  "few binding international obligations",
	"6.7":  "little cooperation with international and regional human rights mechanisms",
	"6.10": "no protection for people who seek refuge",
	"7.4":  "build-up of arms and other means to inflict harm",
}
