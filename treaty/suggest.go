package treaty

import (
	"regexp"
	"strings"
)

var kindWords = map[string]*regexp.Regexp{
	"individual":  regexp.MustCompile(`(?i)(on behalf of individuals|from individuals|individual communications|individuals subject to|individuals or groups|from or on behalf of)`),
	"inter_state": regexp.MustCompile(`(?i)(state party claims|another state party|a state party claiming|state party which claims)`),
	"inquiry":     regexp.MustCompile(`(?i)\binquir`),
}

// Suggest reads a declaration's text and returns the procedures it seems to
// accept ("cat.art22") or to opt out of ("cat.art20:not_accepted"). It is a
// hint for the person who confirms: texts often paraphrase instead of
// citing the article, and a withdrawal can sit elsewhere on the page.
func Suggest(instrument, section, text string) []string {
	out := []string{}
	for _, p := range Procedures {
		if p.Instrument != instrument || p.match == nil {
			continue
		}
		switch p.Mode {
		case "declaration":
			// Most are in the section of declarations under articles; the
			// CMW and AP I ones sit among the ordinary declarations.
			if section != "optional_articles" && !(section == "reservations" && (instrument == "cmw" || instrument == "ap1")) {
				continue
			}
			if p.match.MatchString(text) || (section == "optional_articles" && kindWords[p.Kind] != nil && kindWords[p.Kind].MatchString(text)) {
				out = append(out, p.Code)
			}
		case "opt_out":
			if section == "reservations" && p.match.MatchString(text) {
				out = append(out, p.Code+":not_accepted")
			}
		}
	}
	return out
}

// SuggestionLabel explains a suggestion code for pages.
func SuggestionLabel(s string) string {
	code, status, _ := strings.Cut(s, ":")
	p, ok := ProcedureByCode(code)
	if !ok {
		return s
	}
	if status == "not_accepted" {
		return p.Label + ": reserved or opted out"
	}
	return p.Label + ": accepted"
}
