package demo

import (
	"context"
	"fmt"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/incident"
	"vigil/recommend"
	"vigil/risk"
	"vigil/sensitivity"
)

// Invented risk assessments of Vangoria (XVG) for 2025 and 2026, both
// published, on the built-in framework. Every place, body and event is made
// up; the pattern (an election year, a census, hate speech on community
// radio, a stalled transitional-justice law) is typical of what offices
// assess, so that the report and the comparison show real content.

type demoRating struct {
	num          string
	r2025, r2026 string
	dir          string
	conf         string
	why          string
	level        sensitivity.Level
	evidence     []risk.Evidence
}

var (
	pub  = sensitivity.Public
	intl = sensitivity.Internal
	conf = sensitivity.Confidential
)

var demoRatings = []demoRating{
	{"1.5", risk.Moderate, risk.High, "worse", "high", "The Oravian Autonomy Front announced an armed wing in February 2026 and claimed two attacks on police posts in Oravia province.", pub,
		[]risk.Evidence{{Title: "Commission monitoring note 2026/04 on Oravia province", SourceDate: "2026-04-18", Sensitivity: pub}}},
	{"1.9", risk.Moderate, risk.Moderate, "same", "medium", "Unemployment in Oravia province stays about three times the national rate, according to the national statistics office.", pub,
		[]risk.Evidence{{Title: "National Statistics Office of Vangoria, labour survey 2025", URL: "https://stats.example.xvg/labour-2025", SourceDate: "2026-01-30", Sensitivity: pub}}},
	{"1.10", risk.Low, risk.Moderate, "worse", "high", "The March 2026 market protests in Kelvast ended in mass arrests; protests against the fuel-price decree continue weekly.", pub, nil},
	{"1.11", risk.Moderate, risk.High, "worse", "medium", "Political speech increasingly frames the Oravian minority as a threat to national unity ahead of the census.", pub, nil},
	{"2.3", risk.High, risk.High, "same", "high", "No member of the security forces has been tried for the 2019 Brennet killings; the inquiry report is still unpublished.", pub,
		[]risk.Evidence{{Title: "Commission follow-up letter to the Prosecutor-General", SourceDate: "2026-02-11", Sensitivity: intl}}},
	{"2.7", risk.Moderate, risk.High, "worse", "high", "The transitional-justice bill was withdrawn from Parliament in January 2026 without a date for its return.", pub, nil},
	{"3.1", risk.Moderate, risk.Moderate, "same", "high", "Vangoria has not ratified the Rome Statute or the Convention against enforced disappearance.", pub, nil},
	{"3.4", risk.Moderate, risk.High, "worse", "medium", "The Rapid Intervention Companies now report to the Presidency directly and not to the Interior Ministry.", pub,
		[]risk.Evidence{{Title: "Presidential decree 14/2026 on the Rapid Intervention Companies", SourceDate: "2026-03-02", Sensitivity: pub}}},
	{"3.6", risk.Moderate, risk.Moderate, "same", "medium", "The police complaints authority has had no chair for eighteen months.", pub, nil},
	{"4.1", risk.Low, risk.Moderate, "worse", "medium", "The governing coalition faces its first competitive election since 2011.", pub, nil},
	{"5.5", risk.Low, risk.Moderate, "worse", "low", "A former officer described meetings between a Rapid Intervention commander and leaders of the Kelvast Youth Guard.", conf,
		[]risk.Evidence{{Title: "Interview with a former officer (identity held by the documentation unit)", SourceDate: "2026-05-09", Sensitivity: conf}}},
	{"6.2", risk.Moderate, risk.Moderate, "same", "high", "Two independent newspapers closed in 2025; community radio remains the main independent source in Oravia.", pub, nil},
	{"6.11", risk.High, risk.Moderate, "better", "medium", "The Commission's own early-warning unit started in 2026, but no State mechanism exists.", pub, nil},
	{"7.5", risk.Low, risk.Moderate, "worse", "medium", "The Kelvast Youth Guard patrols market areas with the tolerance of local police.", intl, nil},
	{"7.6", risk.NotPresent, risk.Moderate, "new", "high", "Mobile internet was cut in Oravia province for five days after the April attacks.", pub,
		[]risk.Evidence{{Title: "Network measurement report, Open Observatory (demo)", URL: "https://ooni.example.org/xvg-2026-04", SourceDate: "2026-04-25", Sensitivity: pub}}},
	{"7.13", risk.Moderate, risk.High, "worse", "medium", "The official history curriculum was rewritten in 2025 to present the 1998 uprising as an Oravian betrayal.", pub, nil},
	{"7.14", risk.Moderate, risk.High, "worse", "high", "The Commission logged 212 hateful broadcasts against Oravians in the first half of 2026, against 64 a year earlier.", pub,
		[]risk.Evidence{{Title: "Commission hate-speech monitoring, first half of 2026", SourceDate: "2026-07-15", Sensitivity: pub}}},
	{"8.7", risk.Moderate, risk.High, "worse", "high", "Speeches at the 12 April rally in Kelvast called for Oravians to be 'cleared' from the capital.", pub, nil},
	{"8.8", risk.Moderate, risk.High, "worse", "high", "The census (September 2026) and the general election (October 2026) fall within six weeks of each other.", pub, nil},
	{"8.11", risk.Low, risk.Moderate, "worse", "medium", "The 1998 uprising anniversary in November draws rival marches every year.", pub, nil},
	{"9.1", risk.Moderate, risk.Moderate, "same", "high", "The 2024 language law restricts the use of Oravian in courts and schools.", pub, nil},
	{"9.4", risk.Moderate, risk.High, "worse", "medium", "Land disputes between Oravian herders and new settlers in the eastern valleys turned violent twice in 2026.", pub, nil},
	{"9.6", risk.Moderate, risk.Moderate, "same", "medium", "The inter-community council has not met since 2023.", pub, nil},
	{"10.1", risk.NotPresent, risk.Low, "new", "low", "One local official publicly called for Oravians to 'disappear from the valleys'; no sign of a wider plan so far.", intl, nil},
	{"13.1", risk.Low, risk.Low, "same", "low", "Armed clashes are limited to Oravia province; command of the armed forces appears intact.", pub, nil},
}

func init() {
	Register(Seeder{Name: "risk", Order: 20, Seed: seedRisk})
	// After incidents (25), recommendations (30) and treaties (40): links
	// in those parts' own tables, through their own functions.
	Register(Seeder{Name: "risk-links", Order: 45, Seed: seedRiskLinks})
}

// demoTranslations are demo translations of a few indicator wordings,
// written for the demo; the built-in framework itself ships only the
// factor titles translated. The French 7.14 is marked checked by the
// administrator, the others are left unchecked, so both states show.
var demoTranslations = []struct {
	num, lang, text string
	checked         bool
}{
	{"7.14", "fr", "Les discours incendiaires, la propagande ou les discours de haine se multiplient", true},
	{"7.14", "ar", "تزايد الخطاب التحريضي أو الدعاية أو خطاب الكراهية", false},
	{"8.7", "fr", "Incitation ou propagande haineuse", false},
	{"8.7", "ar", "التحريض أو الدعاية القائمة على الكراهية", false},
	{"8.8", "fr", "Un recensement ou une élection, ou des mesures qui les perturbent", false},
	{"8.8", "ar", "تعداد سكاني أو انتخابات، أو خطوات تخل بهما", false},
	{"2.3", "fr", "Les violations graves restent impunies, par choix politique ou dans les faits", false},
	{"2.3", "ar", "الانتهاكات الجسيمة تبقى دون عقاب، سياسةً أو ممارسةً", false},
}

func seedDemoTranslations(ctx context.Context, tx *db.Tx, inst, fw string, admin access.User, log func(action, typ, id, detail string, by access.User) error) error {
	f, err := risk.GetFramework(ctx, tx, inst, fw)
	if err != nil {
		return err
	}
	ids := map[string]string{}
	for _, fa := range f.Factors {
		for _, in := range fa.Indicators {
			ids[in.Number] = in.ID
		}
	}
	for _, t := range demoTranslations {
		what, err := risk.SetTranslation(ctx, tx, inst, fw, admin.ID, risk.TranslationEdit{Kind: "indicator", ID: ids[t.num], Lang: t.lang, Text: t.text, Checked: t.checked})
		if err != nil {
			return fmt.Errorf("demo translation %s %s: %w", t.num, t.lang, err)
		}
		if err := log("risk.translation.update", "risk_framework", fw, what, admin); err != nil {
			return err
		}
	}
	return nil
}

// seedRiskLinks documents a few 2026 acts coded with the indicators the
// demo assessment rates (one of them confidential, so that only the
// confidential edition shows it) and ties the demo recommendations to
// indicators: confirmed links the pages and reports show, and one that is
// only suggested, which they do not.
func seedRiskLinks(ctx context.Context, tx *db.Tx, env Env) error {
	inst := env.Institution.ID
	an := env.Users[access.Analyst]
	log := func(action, typ, id, detail string) error {
		return env.Audit.Append(ctx, tx, audit.Entry{Institution: inst, ActorID: an.ID, ActorName: "vigil demo", Action: action, ObjectType: typ, ObjectID: id, Detail: detail})
	}
	acts := []struct {
		title, region, date, act string
		victims                  int
		codes                    []string
		level                    sensitivity.Level
	}{
		{"Rally in Kelvast calling for Oravians to be cleared from the capital", "Kelvast", "2026-04-12", "incitement", 0, []string{"RF8.7", "RF7.14"}, pub},
		{"Mobile internet cut across Oravia province", "Oravia", "2026-04-20", "other", 0, []string{"RF7.6"}, pub},
		{"Hateful broadcasts on a Kelvast music station", "Kelvast", "2026-05-30", "incitement", 0, []string{"RF7.14"}, pub},
		{"Attack on an Oravian herders' camp in the eastern valleys", "Oravia", "2026-06-03", "attack_on_civilians", 3, []string{"RF9.4"}, intl},
		{"Meeting of a Rapid Intervention commander with Youth Guard leaders", "Kelvast", "2026-05-09", "other", 0, []string{"RF5.5"}, conf},
	}
	for _, a := range acts {
		e, err := incident.CreateEvent(ctx, tx, inst, an.ID, incident.Event{Title: a.title, Description: "Fictional demonstration record.", Violence: "other",
			Country: Country, CountryName: "Vangoria", Region: a.region, Admin1: a.region, DateStart: a.date, DateEnd: a.date, DatePrecision: 1,
			Sensitivity: a.level, Status: "monitoring"})
		if err != nil {
			return fmt.Errorf("event %s: %w", a.title, err)
		}
		x, err := incident.AddAct(ctx, tx, inst, incident.Act{EventID: e.ID, Type: a.act, Victims: a.victims, ViolationStatus: "likely", Indicators: a.codes, Sensitivity: a.level})
		if err != nil {
			return err
		}
		if err := log("event.create", "event", e.ID, "sensitivity="+a.level.String()); err != nil {
			return err
		}
		if err := log("act.create", "event", e.ID, "act "+x.ID); err != nil {
			return err
		}
	}
	recID := func(cond string, args ...any) (string, error) {
		var id string
		err := tx.QueryRow(ctx, "SELECT id FROM recommendations WHERE "+cond, args...).Scan(&id)
		return id, err
	}
	links := []struct {
		key, code, why string
		confirmed      bool
	}{
		{"vangoria-1", "7.14", "A law on incitement is what the rise in hateful broadcasts calls for.", true},
		{"vangoria-1", "8.7", "Bears on incitement at rallies.", true},
		{"vangoria-2", "3.1", "The Rome Statute is one of the treaties not ratified.", true},
		{"vangoria-3", "2.3", "Disappearances in Oravia remain unpunished.", true},
		{"vangoria-4", "3.6", "Independent monitoring of detention is part of oversight.", true},
		{"vangoria-5", "6.11", "Asks for the early-warning mechanism the State lacks.", true},
		{"vangoria-5", "7.14", "Suggested: hate speech monitoring.", false},
	}
	for _, l := range links {
		id, err := recID("source = 'demo' AND source_key = ? AND owner_institution = ''", l.key)
		if err != nil {
			return fmt.Errorf("demo recommendation %s: %w", l.key, err)
		}
		by := ""
		if l.confirmed {
			by = an.ID
		}
		k, err := recommend.AddRiskLink(ctx, tx, inst, recommend.RiskLink{RecommendationID: id, IndicatorCode: l.code, Rationale: l.why, ConfirmedBy: by, Sensitivity: pub})
		if err != nil {
			return err
		}
		if err := log("recommendation.risklink.create", "recommendation", k.RecommendationID, "indicator="+k.IndicatorCode); err != nil {
			return err
		}
	}
	own, err := recID("owner_institution = ? AND mechanism = 'nhri' ORDER BY created_at LIMIT 1", inst)
	if err != nil {
		return fmt.Errorf("demo own recommendation: %w", err)
	}
	k, err := recommend.AddRiskLink(ctx, tx, inst, recommend.RiskLink{RecommendationID: own, IndicatorCode: "3.4", ConfirmedBy: an.ID,
		Rationale: "Civilian control of the Rapid Intervention Companies.", Sensitivity: sensitivity.Partners})
	if err != nil {
		return err
	}
	return log("recommendation.risklink.create", "recommendation", k.RecommendationID, "indicator="+k.IndicatorCode)
}

func seedRisk(ctx context.Context, tx *db.Tx, env Env) error {
	inst := env.Institution.ID
	an, rev := env.Users[access.Analyst], env.Users[access.Reviewer]
	log := func(action, typ, id, detail string, by access.User) error {
		return env.Audit.Append(ctx, tx, audit.Entry{Institution: inst, ActorID: by.ID, ActorName: "vigil demo", Action: action, ObjectType: typ, ObjectID: id, Detail: detail})
	}
	fw, _, err := risk.EnsureDefault(ctx, tx, inst)
	if err != nil {
		return err
	}
	if err := log("risk.framework.create", "risk_framework", fw, "built-in default", env.Users[access.Administrator]); err != nil {
		return err
	}
	if err := seedDemoTranslations(ctx, tx, inst, fw, env.Users[access.Administrator], log); err != nil {
		return err
	}
	byNum := map[string]demoRating{}
	for _, r := range demoRatings {
		byNum[r.num] = r
	}
	for _, year := range []string{"2025", "2026"} {
		a, err := risk.Create(ctx, tx, inst, an.ID, risk.NewAssessment{FrameworkID: fw, Country: Country, Period: year,
			Title: "Atrocity-risk assessment of Vangoria, " + year, Sensitivity: sensitivity.Public})
		if err != nil {
			return err
		}
		if err := log("risk.assessment.create", "risk_assessment", a.ID, "XVG "+year, an); err != nil {
			return err
		}
		summary := demoSummary[year]
		if err := risk.SetSummary(ctx, tx, inst, a.ID, conf, a.Title, summary, sensitivity.Public); err != nil {
			return err
		}
		full, err := risk.Get(ctx, tx, inst, a.ID, conf)
		if err != nil {
			return err
		}
		for _, r := range full.Ratings {
			e := risk.RatingEdit{Number: r.Number, Confidence: "medium", Direction: "same", Sensitivity: pub}
			if d, ok := byNum[r.Number]; ok {
				e.Rating, e.Rationale, e.Sensitivity, e.Confidence = d.r2025, d.why, d.level, d.conf
				if year == "2026" {
					e.Rating, e.Direction = d.r2026, d.dir
				} else {
					e.Direction = "unknown"
				}
			} else if r.FactorNumber <= 8 {
				e.Rating, e.Rationale = risk.Low, "Signs seen in the period were isolated and did not form a pattern."
			} else if r.FactorNumber == 11 || r.FactorNumber == 12 {
				e.Rating = risk.NotAssessed // sketched factors: left for when the wording is checked
			} else {
				e.Rating, e.Rationale = risk.NotPresent, "No sign found in the period."
			}
			if _, _, err := risk.Rate(ctx, tx, inst, a.ID, an.ID, conf, e); err != nil {
				return fmt.Errorf("rating %s: %w", r.Number, err)
			}
			if d, ok := byNum[r.Number]; ok && year == "2026" {
				for _, ev := range d.evidence {
					if _, err := risk.AddEvidence(ctx, tx, inst, a.ID, an.ID, conf, r.Number, ev); err != nil {
						return err
					}
				}
			}
		}
		for _, it := range demoItems[year] {
			if _, err := risk.AddItem(ctx, tx, inst, a.ID, an.ID, conf, it); err != nil {
				return err
			}
		}
		if year == "2026" {
			if err := risk.SetOverride(ctx, tx, inst, a.ID, an.ID, conf, "crime:crimes_against_humanity", risk.Moderate,
				"Factors 11 and 12 are sketches in our framework and were not rated; the pattern of arrests and internet cuts in Oravia nonetheless points to a moderate risk of crimes against humanity."); err != nil {
				return err
			}
		}
		if err := log("risk.assessment.rate", "risk_assessment", a.ID, fmt.Sprintf("%d indicators rated", len(full.Ratings)), an); err != nil {
			return err
		}
		for _, step := range []struct {
			name string
			by   access.User
		}{{"submit", an}, {"approve", rev}, {"publish", rev}} {
			if _, err := risk.Step(ctx, tx, inst, a.ID, step.by, step.name); err != nil {
				return err
			}
			if err := log("risk.assessment."+step.name, "risk_assessment", a.ID, "", step.by); err != nil {
				return err
			}
		}
	}
	return nil
}

var demoSummary = map[string]string{
	"2025": "Risk in Vangoria stayed at a moderate level in 2025. Impunity for the 2019 Brennet killings and the weak oversight of the security forces are the main concerns; tension between the majority and the Oravian minority is rising but has not turned violent.\n\nThe Commission recommends ratifying the Rome Statute and reviving the inter-community council.",
	"2026": "Risk of atrocity crimes in Vangoria rose in 2026. Hate speech against the Oravian minority tripled, an armed opposition group emerged in Oravia province, and the census and general election fall within six weeks of each other in the autumn. Inhibitors remain: the courts have twice overturned bans on Oravian media, and community radio still reaches the province.\n\nThe Commission asks the State to restore civilian control of the Rapid Intervention Companies, to return the transitional-justice bill to Parliament, and to set up a national early-warning mechanism before the election.",
}

var demoItems = map[string][]risk.Item{
	"2025": {
		{Kind: "inhibitor", Title: "Constitutional Court rulings on minority languages", Strength: "moderate", Sensitivity: pub},
		{Kind: "trigger", Title: "Anniversary of the 1998 uprising", Date: "2025-11-14", Sensitivity: pub},
		{Kind: "recommendation", Title: "Ratify the Rome Statute of the International Criminal Court", Addressee: "Parliament of Vangoria", Sensitivity: pub},
		{Kind: "recommendation", Title: "Reconvene the inter-community council", Addressee: "Office of the Prime Minister", Sensitivity: pub},
	},
	"2026": {
		{Kind: "inhibitor", Title: "Independent courts", Detail: "The Constitutional Court twice struck down bans on Oravian-language media in 2026.", Strength: "moderate", Sensitivity: pub},
		{Kind: "inhibitor", Title: "Community radio network", Detail: "Oravia Community Radio still broadcasts across the province and runs a rumour-control programme.", Strength: "moderate", Sensitivity: pub},
		{Kind: "inhibitor", Title: "Commission early-warning unit", Detail: "Started in January 2026 with four staff.", Strength: "weak", Sensitivity: pub},
		{Kind: "inhibitor", Title: "Back-channel between the Front and church mediators", Detail: "Known only to the mediators and the Commission; exposure would end it.", Strength: "weak", Sensitivity: conf},
		{Kind: "trigger", Title: "National census", Detail: "The census form asks for ethnicity for the first time since 1991.", Date: "2026-09-01", Sensitivity: pub},
		{Kind: "trigger", Title: "General election", Date: "2026-10-18", Sensitivity: pub},
		{Kind: "trigger", Title: "Anniversary of the 1998 uprising", Date: "2026-11-14", Sensitivity: pub},
		{Kind: "trigger", Title: "Verdict in the Brennet killings appeal", Date: "2026-12-03", Sensitivity: pub},
		{Kind: "recommendation", Title: "Place the Rapid Intervention Companies back under the Interior Ministry and parliamentary oversight", Addressee: "President of the Republic", Sensitivity: pub},
		{Kind: "recommendation", Title: "Return the transitional-justice bill to Parliament before the end of the session", Addressee: "Ministry of Justice", Sensitivity: pub},
		{Kind: "recommendation", Title: "Set up a national early-warning and response mechanism before the election", Addressee: "Office of the Prime Minister", Sensitivity: pub},
		{Kind: "recommendation", Title: "Keep mobile internet open in Oravia province during the census and the election", Addressee: "Telecommunications Regulatory Authority", Sensitivity: pub},
		{Kind: "recommendation", Title: "Ratify the Rome Statute of the International Criminal Court", Addressee: "Parliament of Vangoria", Sensitivity: pub},
	},
}
