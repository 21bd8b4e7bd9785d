package recommend

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"vigil/db"
	"vigil/sensitivity"
)

// Suggestion rules: which risk-assessment indicators a recommendation
// bears on. A rule is data, not code, so that an analyst can read, beside
// every suggestion, exactly why it was made ("suggested because the text
// mentions 'hate speech' (rule 1)"). A rule only ever suggests: a person
// confirms or rejects each suggestion, and a rejected one is remembered so
// that running the rules again does not bring it back.
//
// Indicator codes are the numbers of the UN Framework of Analysis for
// Atrocity Crimes as package risk stores them ("7.14"): factor, dot,
// position.
type Rule struct {
	ID        string `json:"id"`
	Indicator string `json:"indicator"`
	// What the rule looks for, in words, for the rules page.
	Description string `json:"description"`
	// The rule matches when any of these holds.
	Themes []string `json:"themes,omitempty"` // a theme of the recommendation, exactly
	Words  []string `json:"words,omitempty"`  // words in the text; a word ending in * is a stem ("incite*")
	Bodies []string `json:"bodies,omitempty"` // the issuing body's name contains this (case and accents ignored)
	// With, when set, must also be in the text for Words to count (one of them).
	With []string `json:"with,omitempty"`
	// Mechanisms, when set, limits the rule to these mechanisms.
	Mechanisms []string `json:"mechanisms,omitempty"`

	words, with []*regexp.Regexp
}

// Rules are the suggestion rules, in the order they are tried. Keep IDs
// stable: suggestions and rejections name them.
var Rules = []Rule{
	{ID: "1", Indicator: "7.14", Description: "hate speech or hate propaganda", Words: []string{"hate speech", "hate propaganda", "hate crime*", "hatred"}},
	{ID: "2", Indicator: "8.7", Description: "incitement (to violence, hatred or discrimination)", Words: []string{"incite*"}},
	{ID: "3", Indicator: "3.1", Description: "the Rome Statute, the International Criminal Court or the Genocide Convention",
		Words: []string{"rome statute", "international criminal court", "genocide convention", "prevention and punishment of the crime of genocide"}},
	{ID: "4", Indicator: "2.3", Description: "impunity, or bringing perpetrators to justice", Themes: []string{"Impunity"},
		Words: []string{"impunity", "perpetrator* to justice", "responsible to justice"}},
	{ID: "5", Indicator: "2.1", Description: "torture", Themes: []string{"Torture and other CID treatment"}, Words: []string{"tortur*"}, Bodies: []string{"committee against torture"}},
	{ID: "6", Indicator: "2.1", Description: "extrajudicial, summary or arbitrary executions", Themes: []string{"Extrajudicial executions"},
		Words: []string{"extrajudicial*", "extra judicial*", "summary execution*", "arbitrary execution*"}},
	{ID: "7", Indicator: "2.1", Description: "enforced or involuntary disappearances", Themes: []string{"Enforced disappearances"},
		Words: []string{"enforced disappear*", "involuntary disappear*"}, Bodies: []string{"enforced disappearance"}},
	{ID: "8", Indicator: "2.1", Description: "international humanitarian law", Themes: []string{"International humanitarian law"},
		Words: []string{"humanitarian law", "geneva convention*", "war crime*", "crimes against humanity"}},
	{ID: "9", Indicator: "3.3", Description: "the independence of the judiciary",
		Words: []string{"independence of the judiciary", "judicial independence", "independent judiciary", "independence of judges"}},
	{ID: "10", Indicator: "3.6", Description: "abuses by State agents, excessive force, oversight of the police", Themes: []string{"Human rights violations by state agents"},
		Words: []string{"excessive use of force", "excessive force", "police misconduct", "police oversight"}},
	{ID: "11", Indicator: "3.7", Description: "human rights or humanitarian-law training of the police, army or security forces",
		Words: []string{"train*"}, With: []string{"police", "security forces", "armed forces", "military", "law enforcement"}},
	{ID: "12", Indicator: "9.1", Description: "discrimination against minorities, racial or ethnic groups", Themes: []string{"Minorities", "Racial discrimination"},
		Words: []string{"ethnic minorit*", "religious minorit*", "national minorit*", "racial discrimination"}},
	{ID: "13", Indicator: "6.1", Description: "human rights defenders and civil society", Themes: []string{"Human rights defenders", "Civil society"},
		Words: []string{"human rights defender*", "civil society"}},
	{ID: "14", Indicator: "6.2", Description: "freedom of the press and journalists", Themes: []string{"Freedom of the press"},
		Words: []string{"journalist*", "freedom of the press", "press freedom", "media freedom", "independent media"}},
	{ID: "15", Indicator: "3.2", Description: "the national human rights institution and the Paris Principles", Themes: []string{"NHRI"},
		Words: []string{"paris principles", "national human rights institution*", "national human rights commission*"}},
	{ID: "16", Indicator: "6.7", Description: "cooperation with UN human rights mechanisms (special procedures, treaty bodies, reports)",
		Themes: []string{"Special procedures", "Treaty bodies"}, Words: []string{"standing invitation", "special procedures", "overdue report*"}},
	{ID: "17", Indicator: "7.1", Description: "states of emergency, emergency powers and counter-terrorism laws", Themes: []string{"Counter-terrorism"},
		Words: []string{"state of emergency", "states of emergency", "emergency law*", "emergency power*", "counter terror*", "anti terror*"}},
	{ID: "18", Indicator: "7.9", Description: "sexual violence", Words: []string{"sexual violence", "rape*", "sexual abuse*"}},
	{ID: "19", Indicator: "6.10", Description: "refoulement of refugees and asylum-seekers", Words: []string{"refoulement", "non refoulement"}},
	{ID: "20", Indicator: "2.7", Description: "transitional justice, truth commissions and reparation",
		Words: []string{"transitional justice", "truth commission*", "truth and reconciliation", "reparation*"}},
	{ID: "21", Indicator: "3.5", Description: "corruption", Themes: []string{"Corruption"}, Words: []string{"corrupt*"}},
	{ID: "22", Indicator: "7.5", Description: "militias, paramilitary and self-defence groups", Words: []string{"militia*", "paramilitar*", "self defence group*", "self defense group*", "vigilante*"}},
	{ID: "23", Indicator: "6.11", Description: "early warning and prevention of genocide or atrocity crimes",
		Words:  []string{"early warning", "prevention of genocide", "genocide prevention", "atrocity prevention", "prevention of atrocit*"},
		Bodies: []string{"prevention of genocide"}},
	{ID: "24", Indicator: "8.8", Description: "violence around elections", Words: []string{"electoral violence", "election related violence", "post election violence"}},
	{ID: "25", Indicator: "14.2", Description: "humanitarian access", Words: []string{"humanitarian access", "access for humanitarian", "humanitarian assistance"}},
}

func init() {
	for i := range Rules {
		if err := Rules[i].compile(); err != nil {
			panic(err)
		}
	}
}

// wordRe compiles a phrase of words (each may end in * for a stem) into a
// pattern over folded text: whole words, any separators between them.
func wordRe(phrase string) (*regexp.Regexp, error) {
	var parts []string
	for _, f := range strings.Fields(Fold(strings.ReplaceAll(phrase, "-", " "))) {
		stem := strings.HasSuffix(f, "*")
		w := strings.TrimSuffix(f, "*")
		if w == "" {
			continue
		}
		p := regexp.QuoteMeta(w)
		if stem {
			p += `[\p{L}\p{N}]*`
		} else {
			p += `s?` // a plural is the same word
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("rule phrase %q has no words", phrase)
	}
	return regexp.Compile(`(?:^|[^\p{L}\p{N}])` + strings.Join(parts, `[^\p{L}\p{N}]+`) + `(?:$|[^\p{L}\p{N}])`)
}

func (r *Rule) compile() error {
	for _, w := range r.Words {
		re, err := wordRe(w)
		if err != nil {
			return err
		}
		r.words = append(r.words, re)
	}
	for _, w := range r.With {
		re, err := wordRe(w)
		if err != nil {
			return err
		}
		r.with = append(r.with, re)
	}
	if r.ID == "" || IndicatorCodeValid(r.Indicator) != nil || r.Description == "" {
		return fmt.Errorf("rule %q: needs an id, an indicator number like 7.14 and a description", r.ID)
	}
	return nil
}

var indicatorRe = regexp.MustCompile(`^[0-9]{1,3}\.[0-9]{1,3}$`)

// IndicatorCodeValid checks that code is a plain indicator number ("9.3").
func IndicatorCodeValid(code string) error {
	if !indicatorRe.MatchString(code) {
		return fmt.Errorf("indicator %q is not a number like 9.3", code)
	}
	return nil
}

// Why says what in rec made the rule match ("" when it does not), e.g.
// "the text mentions 'hate speech'".
func (r *Rule) Why(rec *Recommendation) string {
	if len(r.Mechanisms) > 0 && !contains(r.Mechanisms, rec.Mechanism) {
		return ""
	}
	for _, t := range r.Themes {
		for _, have := range rec.Themes {
			if strings.EqualFold(t, have) {
				return fmt.Sprintf("its theme is '%s'", have)
			}
		}
	}
	text := " " + Fold(rec.Text) + " "
	if len(r.words) > 0 {
		withOK := len(r.with) == 0
		var withWord string
		for _, re := range r.with {
			if m := re.FindString(text); m != "" {
				withOK, withWord = true, strings.Trim(m, " ,.;:()")
				break
			}
		}
		if withOK {
			for _, re := range r.words {
				if m := re.FindString(text); m != "" {
					why := fmt.Sprintf("the text mentions '%s'", strings.TrimFunc(m, notWordRune))
					if withWord != "" {
						why += fmt.Sprintf(" and '%s'", strings.TrimFunc(withWord, notWordRune))
					}
					return why
				}
			}
		}
	}
	body := Fold(rec.Body)
	for _, b := range r.Bodies {
		if strings.Contains(body, Fold(b)) {
			return fmt.Sprintf("it comes from the %s", rec.Body)
		}
	}
	return ""
}

func notWordRune(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r > 127)
}

// RuleByID finds a rule.
func RuleByID(id string) *Rule {
	for i := range Rules {
		if Rules[i].ID == id {
			return &Rules[i]
		}
	}
	return nil
}

// SuggestResult counts what a run of the rules did.
type SuggestResult struct {
	Examined  int `json:"examined"`  // recommendations the rules were run over
	Suggested int `json:"suggested"` // new suggestions
	Known     int `json:"known"`     // matches already linked, suggested or rejected
}

// SuggestLinks runs the rules over the recommendations to the
// institution's State (and its own recommendations) and records each new
// match as a suggested link (confirmed_by empty, the rule named). It never
// suggests a link that exists already, suggested or confirmed, nor one a
// person rejected: running it twice changes nothing the second time.
func SuggestLinks(ctx context.Context, q db.Q, institution, state string) (SuggestResult, error) {
	var res SuggestResult
	if institution == "" || len(state) != 3 {
		return res, errors.New("suggestions need an institution and the ISO code of its State")
	}
	known := map[string]bool{}
	for _, qs := range []string{"SELECT recommendation_id, indicator_code FROM rec_risk_links WHERE institution_id = ?",
		"SELECT recommendation_id, indicator_code FROM rec_risk_rejections WHERE institution_id = ?"} {
		rows, err := q.Query(ctx, qs, institution)
		if err != nil {
			return res, err
		}
		for rows.Next() {
			var id, code string
			if err := rows.Scan(&id, &code); err != nil {
				rows.Close()
				return res, err
			}
			known[id+"\x00"+code] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return res, err
		}
	}
	sc, args := Scope{Institution: institution, Clearance: sensitivity.Confidential}.cond()
	rows, err := q.Query(ctx, "SELECT "+prefixed(recColumns)+" FROM recommendations r WHERE r.state_under_review = ? AND "+sc+" ORDER BY r.num",
		append([]any{strings.ToUpper(state)}, args...)...)
	if err != nil {
		return res, err
	}
	var recs []Recommendation
	for rows.Next() {
		r, err := scanRec(rows)
		if err != nil {
			rows.Close()
			return res, err
		}
		recs = append(recs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, err
	}
	now := db.Now()
	for i := range recs {
		r := &recs[i]
		res.Examined++
		for j := range Rules {
			rule := &Rules[j]
			why := rule.Why(r)
			if why == "" {
				continue
			}
			k := r.ID + "\x00" + rule.Indicator
			if known[k] {
				res.Known++
				continue
			}
			known[k] = true
			if _, err := q.Exec(ctx, `INSERT INTO rec_risk_links (id, institution_id, recommendation_id, indicator_code, rationale, confirmed_by, sensitivity, created_at, rule)
				VALUES (?,?,?,?,?,'',?,?,?)`, db.NewID(), institution, r.ID, rule.Indicator, why, int(sensitivity.Internal), now, rule.ID); err != nil {
				return res, err
			}
			res.Suggested++
		}
	}
	return res, nil
}

// ErrDecided is returned for a link that is not (or no longer) a suggestion.
var ErrDecided = errors.New("recommend: this link is not an open suggestion")

// ConfirmLink makes a suggested link a confirmed one, by userID.
func ConfirmLink(ctx context.Context, q db.Q, institution, linkID, userID string) (RiskLink, error) {
	l, err := getLink(ctx, q, institution, linkID)
	if err != nil {
		return l, err
	}
	if l.ConfirmedBy != "" {
		return l, ErrDecided
	}
	if _, err := q.Exec(ctx, "UPDATE rec_risk_links SET confirmed_by = ? WHERE institution_id = ? AND id = ? AND confirmed_by = ''", userID, institution, linkID); err != nil {
		return l, err
	}
	l.ConfirmedBy = userID
	return l, nil
}

// RejectLink removes a suggested link and remembers the rejection, so the
// rules never suggest it again.
func RejectLink(ctx context.Context, q db.Q, institution, linkID, userID string) (RiskLink, error) {
	l, err := getLink(ctx, q, institution, linkID)
	if err != nil {
		return l, err
	}
	if l.ConfirmedBy != "" {
		return l, ErrDecided
	}
	if _, err := q.Exec(ctx, `INSERT INTO rec_risk_rejections (id, institution_id, recommendation_id, indicator_code, rule, rejected_by, sensitivity, created_at)
		VALUES (?,?,?,?,?,?,?,?)`, db.NewID(), institution, l.RecommendationID, l.IndicatorCode, l.Rule, userID, int(l.Sensitivity), db.Now()); err != nil {
		return l, err
	}
	_, err = q.Exec(ctx, "DELETE FROM rec_risk_links WHERE institution_id = ? AND id = ? AND confirmed_by = ''", institution, linkID)
	return l, err
}

func getLink(ctx context.Context, q db.Q, institution, id string) (RiskLink, error) {
	var l RiskLink
	var lvl int
	err := q.QueryRow(ctx, `SELECT id, recommendation_id, indicator_code, rationale, confirmed_by, sensitivity, created_at, rule
		FROM rec_risk_links WHERE institution_id = ? AND id = ?`, institution, id).Scan(&l.ID, &l.RecommendationID, &l.IndicatorCode, &l.Rationale,
		&l.ConfirmedBy, &lvl, &l.CreatedAt, &l.Rule)
	if errors.Is(err, sql.ErrNoRows) {
		return l, ErrNotFound
	}
	l.Sensitivity = sensitivity.Level(lvl)
	return l, err
}

// Rejection is a suggested link a person turned down.
type Rejection struct {
	IndicatorCode string `json:"indicator_code"`
	Rule          string `json:"rule"`
	RejectedBy    string `json:"rejected_by"`
	CreatedAt     string `json:"created_at"`
}

// Rejections lists the rejected suggestions of one recommendation.
func Rejections(ctx context.Context, q db.Q, institution, recID string) ([]Rejection, error) {
	rows, err := q.Query(ctx, `SELECT indicator_code, rule, rejected_by, created_at FROM rec_risk_rejections
		WHERE institution_id = ? AND recommendation_id = ? ORDER BY indicator_code`, institution, recID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Rejection{}
	for rows.Next() {
		var x Rejection
		if err := rows.Scan(&x.IndicatorCode, &x.Rule, &x.RejectedBy, &x.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// Explain is the sentence shown beside a suggestion: "suggested because
// the text mentions 'hate speech' (rule 1)".
func (l RiskLink) Explain() string {
	if l.Rule == "" {
		return l.Rationale
	}
	return "suggested because " + l.Rationale + " (rule " + l.Rule + ")"
}

// OpenSuggestions counts the institution's suggested links that no person
// has confirmed or rejected yet.
func OpenSuggestions(ctx context.Context, q db.Q, institution string) (int, error) {
	var n int
	err := q.QueryRow(ctx, "SELECT COUNT(*) FROM rec_risk_links WHERE institution_id = ? AND confirmed_by = ''", institution).Scan(&n)
	return n, err
}

// IndicatorWording reads, read only, the short wording of the risk
// indicators in the institution's frameworks (package risk's table), by
// number, so that pages can say what "7.14" is about. The first framework
// in position order wins where two share a number.
func IndicatorWording(ctx context.Context, q db.Q, institution string) (map[string]string, error) {
	rows, err := q.Query(ctx, "SELECT number, wording FROM risk_indicators WHERE institution_id = ? ORDER BY framework_id, position", institution)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var n, w string
		if err := rows.Scan(&n, &w); err != nil {
			return nil, err
		}
		if _, ok := out[n]; !ok {
			out[n] = w
		}
	}
	return out, rows.Err()
}
