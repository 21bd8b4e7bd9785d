// Package incitement holds assessments of speech acts under the Rabat Plan
// of Action's six-part threshold test (context, speaker, intent, content and
// form, extent, likelihood and imminence) and the analyst's conclusion on the
// three tiers of expression, linked to the UN Framework of Analysis
// indicators on hate speech and incitement. The speaker's identity and the
// text of the speech are encrypted; everything else is kept in clear so
// that trends can be counted without decrypting.
package incitement

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"vigil/access"
	"vigil/db"
	"vigil/fieldcrypt"
	"vigil/sensitivity"
)

// ErrNotFound is returned for an assessment that does not exist in the
// institution or that the reader's clearance does not cover.
var ErrNotFound = errors.New("incitement: no such assessment")

// Levels are the ordinal judgements an analyst gives each factor.
var Levels = []string{"low", "medium", "high"}

// Factor is one of the six parts of the Rabat test.
type Factor struct {
	Key, Name, Question string
}

// Factors are the six parts of the threshold test, in the Plan's order. The
// questions are our own summaries.
var Factors = []Factor{
	{"context", "Context", "How charged is the social and political moment: tensions, recent violence, discrimination, the state of the media?"},
	{"speaker", "Speaker", "How much standing or authority does the speaker have over this audience?"},
	{"intent", "Intent", "Is there evidence that the speaker meant to incite, rather than being careless or passing material on?"},
	{"content", "Content and form", "How direct and provocative is it: calls to act, dehumanising terms, coded language, genre?"},
	{"extent", "Extent", "How public and far-reaching: size of audience, medium, repetition, amplification?"},
	{"likelihood", "Likelihood and imminence", "How probable and how near is action against the target group as a result?"},
}

// Tier is the conclusion on the three tiers of expression.
type Tier struct {
	Key, Name, Meaning string
}

// Tiers, most severe first.
var Tiers = []Tier{
	{"criminal", "Criminal offence", "Meets the threshold of incitement that the State must prohibit (ICCPR art. 20(2)); refer for prosecution."},
	{"civil", "Civil or administrative sanction", "Below the criminal threshold but may be restricted if the art. 19(3) test is met."},
	{"none", "No sanction; concern", "Lawful expression that still calls for counter-speech, education, monitoring or support to the target group."},
}

// Indicator is a UN Framework of Analysis indicator an assessment can be
// linked to.
type Indicator struct{ Code, Label string }

// Indicators are the Framework indicators that bear on hate speech and
// incitement (labels paraphrased).
var Indicators = []Indicator{
	{"2.6", "Justifying, distorting or denying atrocity crimes"},
	{"4.6", "Supremacist or extremist identity ideology"},
	{"7.13", "Identity and past events more politicised"},
	{"7.14", "More inflammatory rhetoric, propaganda or hate speech"},
	{"8.7", "Acts of incitement or hate propaganda"},
	{"10.1", "Statements showing intent or incitement to destroy a group"},
}

// Assessment is one speech act weighed on the Rabat test.
type Assessment struct {
	ID, InstitutionID  string
	Title              string // neutral label shown in lists, e.g. "Radio address, 12 April"
	SpeechDate         string // YYYY-MM-DD
	Medium             string
	Reach              int64 // estimated audience
	Audience           string
	TargetGroup        string
	SpeakerRole        string            // office or standing, in clear
	Speaker            string            // identity: encrypted
	Text               string            // the words: encrypted
	Levels             map[string]string // factor key -> low|medium|high
	Notes              map[string]string // factor key -> reasons
	Tier               string
	GenocideIncitement bool // may amount to direct and public incitement to genocide
	Response           string
	Indicators         []string // Framework indicator codes
	Sensitivity        sensitivity.Level
	CreatedBy          string
	CreatedAt          string
	UpdatedAt          string
	Withheld           bool // speaker and text not decrypted for this reader
}

var encrypted = []string{"speaker", "text"}

func init() {
	for _, f := range encrypted {
		fieldcrypt.Register(fieldcrypt.Column{Table: "incitement_assessments", IDColumn: "id", InstitutionColumn: "institution_id",
			Column: f + "_enc", Field: f})
	}
}

func oneOf(v string, allowed []string, what string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("%s %q is not one of %s", what, v, strings.Join(allowed, ", "))
}

// TierKeys lists the keys of Tiers.
func TierKeys() []string {
	var k []string
	for _, t := range Tiers {
		k = append(k, t.Key)
	}
	return k
}

// TierName returns the display name of a tier key.
func TierName(key string) string {
	for _, t := range Tiers {
		if t.Key == key {
			return t.Name
		}
	}
	return key
}

// Validate checks and normalises an assessment before it is saved.
func (a *Assessment) Validate() error {
	a.Title = strings.TrimSpace(a.Title)
	if a.Title == "" {
		return errors.New("a title is required: it is how the assessment appears in lists")
	}
	if _, err := time.Parse("2006-01-02", a.SpeechDate); err != nil {
		return errors.New("the date of the speech must be a date (YYYY-MM-DD)")
	}
	a.Medium = strings.TrimSpace(a.Medium)
	if a.Medium == "" {
		return errors.New("the medium is required (e.g. radio, rally, social media)")
	}
	if a.Reach < 0 {
		return errors.New("the reach cannot be negative")
	}
	for _, f := range Factors {
		if err := oneOf(a.Levels[f.Key], Levels, f.Name+" level"); err != nil {
			return err
		}
	}
	if err := oneOf(a.Tier, TierKeys(), "conclusion"); err != nil {
		return err
	}
	if a.Tier == "criminal" {
		for _, f := range Factors {
			if strings.TrimSpace(a.Notes[f.Key]) == "" {
				return fmt.Errorf("a criminal-tier conclusion needs reasons for every factor; %s has none", f.Name)
			}
		}
	}
	var codes []string
	for _, c := range a.Indicators {
		ok := false
		for _, in := range Indicators {
			ok = ok || in.Code == c
		}
		if !ok {
			return fmt.Errorf("indicator %q is not one of the hate-speech indicators", c)
		}
		codes = append(codes, c)
	}
	a.Indicators = codes
	if a.Sensitivity == 0 {
		a.Sensitivity = sensitivity.Confidential
	}
	if !a.Sensitivity.Valid() {
		return fmt.Errorf("sensitivity %d is not a level", a.Sensitivity)
	}
	for _, s := range []string{a.Text, a.Speaker, a.Response, a.Audience, a.TargetGroup} {
		if len(s) > 20000 {
			return errors.New("a field is longer than 20000 characters")
		}
	}
	return nil
}

// Suggested returns the tier the factor levels point to, as guidance beside
// the analyst's own conclusion: the test is cumulative, so the criminal tier
// needs every factor high; intent and content at least medium, with
// likelihood not low, point to the middle tier; anything else to the lowest.
func (a *Assessment) Suggested() string {
	allHigh := true
	for _, f := range Factors {
		allHigh = allHigh && a.Levels[f.Key] == "high"
	}
	switch {
	case allHigh:
		return "criminal"
	case a.Levels["intent"] != "low" && a.Levels["content"] != "low" && a.Levels["likelihood"] != "low":
		return "civil"
	default:
		return "none"
	}
}

// Create encrypts and stores an assessment of institution inst.
func Create(ctx context.Context, q db.Q, kr *fieldcrypt.Keyring, inst, by string, a Assessment) (Assessment, error) {
	if err := a.Validate(); err != nil {
		return Assessment{}, err
	}
	a.ID, a.InstitutionID, a.CreatedBy = db.NewID(), inst, by
	a.CreatedAt = db.Now()
	a.UpdatedAt = a.CreatedAt
	spk, err := kr.Encrypt(inst, "incitement_assessments", a.ID, "speaker", a.Speaker)
	if err != nil {
		return Assessment{}, err
	}
	txt, err := kr.Encrypt(inst, "incitement_assessments", a.ID, "text", a.Text)
	if err != nil {
		return Assessment{}, err
	}
	gen := 0
	if a.GenocideIncitement {
		gen = 1
	}
	l, n := a.Levels, a.Notes
	_, err = q.Exec(ctx, `INSERT INTO incitement_assessments (`+cols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, inst, a.Title, a.SpeechDate, a.Medium, a.Reach, a.Audience, a.TargetGroup, a.SpeakerRole, spk, txt,
		l["context"], n["context"], l["speaker"], n["speaker"], l["intent"], n["intent"], l["content"], n["content"],
		l["extent"], n["extent"], l["likelihood"], n["likelihood"], a.Tier, gen, a.Response, strings.Join(a.Indicators, ","),
		int(a.Sensitivity), by, a.CreatedAt, a.UpdatedAt)
	return a, err
}

const cols = `id, institution_id, title, speech_date, medium, reach, audience, target_group, speaker_role, speaker_enc, text_enc,
	context_level, context_note, speaker_level, speaker_note, intent_level, intent_note, content_level, content_note,
	extent_level, extent_note, likelihood_level, likelihood_note, tier, genocide_incitement, response, indicators,
	sensitivity, created_by, created_at, updated_at`

// scan reads a row, decrypting speaker and text only when decrypt is set
// and the clearance covers the record.
func scan(s interface{ Scan(...any) error }, kr *fieldcrypt.Keyring, clearance sensitivity.Level, decrypt bool) (Assessment, error) {
	a := Assessment{Levels: map[string]string{}, Notes: map[string]string{}}
	var spk, txt, ind string
	var gen, level int64
	l := make([]string, 6)
	n := make([]string, 6)
	err := s.Scan(&a.ID, &a.InstitutionID, &a.Title, &a.SpeechDate, &a.Medium, &a.Reach, &a.Audience, &a.TargetGroup, &a.SpeakerRole, &spk, &txt,
		&l[0], &n[0], &l[1], &n[1], &l[2], &n[2], &l[3], &n[3], &l[4], &n[4], &l[5], &n[5], &a.Tier, &gen, &a.Response, &ind,
		&level, &a.CreatedBy, &a.CreatedAt, &a.UpdatedAt)
	if err != nil {
		return a, err
	}
	for i, f := range Factors {
		a.Levels[f.Key], a.Notes[f.Key] = l[i], n[i]
	}
	a.GenocideIncitement = gen == 1
	if ind != "" {
		a.Indicators = strings.Split(ind, ",")
	}
	a.Sensitivity = sensitivity.Level(level)
	if !decrypt || !sensitivity.Allows(clearance, a.Sensitivity) {
		a.Withheld = true
		return a, nil
	}
	if a.Speaker, err = kr.Decrypt(a.InstitutionID, "incitement_assessments", a.ID, "speaker", spk); err != nil {
		return a, fmt.Errorf("assessment %s speaker: %w", a.ID, err)
	}
	if a.Text, err = kr.Decrypt(a.InstitutionID, "incitement_assessments", a.ID, "text", txt); err != nil {
		return a, fmt.Errorf("assessment %s text: %w", a.ID, err)
	}
	return a, nil
}

// Get reads one assessment with its speaker and text for a reader with the
// given role. One above the reader's clearance is reported as not found.
func Get(ctx context.Context, q db.Q, kr *fieldcrypt.Keyring, inst, id string, role access.Role) (Assessment, error) {
	clearance := role.Clearance()
	row := q.QueryRow(ctx, "SELECT "+cols+" FROM incitement_assessments WHERE institution_id = ? AND id = ? AND sensitivity <= ?", inst, id, int(clearance))
	a, err := scan(row, kr, clearance, true)
	if errors.Is(err, sql.ErrNoRows) {
		return Assessment{}, ErrNotFound
	}
	return a, err
}

// List returns the assessments a role may see, newest speech first, without
// decrypting speaker or text.
func List(ctx context.Context, q db.Q, kr *fieldcrypt.Keyring, inst string, role access.Role) ([]Assessment, error) {
	clearance := role.Clearance()
	rows, err := q.Query(ctx, "SELECT "+cols+" FROM incitement_assessments WHERE institution_id = ? AND sensitivity <= ? ORDER BY speech_date DESC, id",
		inst, int(clearance))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Assessment
	for rows.Next() {
		a, err := scan(rows, kr, clearance, false)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// YearCount is the number of assessments of one year in each tier.
type YearCount struct {
	Year   string
	ByTier map[string]int
	Total  int
}

// Trend counts assessments by year of speech and tier, oldest first.
func Trend(list []Assessment) []YearCount {
	idx := map[string]int{}
	var out []YearCount
	for i := len(list) - 1; i >= 0; i-- { // list is newest first
		y := list[i].SpeechDate[:4]
		k, ok := idx[y]
		if !ok {
			k = len(out)
			idx[y] = k
			out = append(out, YearCount{Year: y, ByTier: map[string]int{}})
		}
		out[k].ByTier[list[i].Tier]++
		out[k].Total++
	}
	return out
}
