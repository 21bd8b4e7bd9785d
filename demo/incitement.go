package demo

import (
	"context"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/incitement"
	"vigil/sensitivity"
)

// Invented speech acts for the demo's incitement assessments: speakers,
// places and words are made up.
func init() {
	Register(Seeder{Name: "incitement", Order: 60, Seed: func(ctx context.Context, tx *db.Tx, env Env) error {
		by := env.Users[access.Analyst]
		lv := func(c, s, i, co, e, l string) map[string]string {
			return map[string]string{"context": c, "speaker": s, "intent": i, "content": co, "extent": e, "likelihood": l}
		}
		for _, a := range []incitement.Assessment{
			{Title: "Campaign rally, Brennet square", SpeechDate: "2024-09-14", Medium: "rally, filmed and shared online", Reach: 12000,
				Audience: "party supporters", TargetGroup: "Tesh-speaking residents", SpeakerRole: "candidate for provincial assembly",
				Speaker: "Orlan Miskevar (demo)", Text: "Slogans blaming 'outsiders from the valley' for unemployment.",
				Levels: lv("medium", "low", "low", "medium", "medium", "low"), Notes: map[string]string{"context": "Election season; no recent violence."},
				Tier: "none", Response: "Monitor; counter-speech by the electoral commission.", Indicators: []string{"7.13"}, Sensitivity: sensitivity.Internal},
			{Title: "Radio address, 12 April", SpeechDate: "2025-04-12", Medium: "community radio", Reach: 40000,
				Audience: "listeners in Oravia province", TargetGroup: "the Tesh minority", SpeakerRole: "provincial governor",
				Speaker: "Governor Haldor Vensk-Amari (demo)", Text: "Called the minority 'a sickness in the valley' and told listeners to 'take care of it before the vote'.",
				Levels: lv("high", "high", "medium", "high", "high", "medium"),
				Notes: map[string]string{"context": "Clashes in March; camps cleared.", "speaker": "Highest provincial authority; commands the police.",
					"intent": "Repeated after being warned; intent arguable.", "content": "Dehumanising term and a call to act.",
					"extent": "Province-wide broadcast, repeated twice.", "likelihood": "Attacks on two villages followed within a week."},
				Tier: "civil", Response: "Public statement; referral to the broadcasting regulator; protection measures for the villages.",
				Indicators: []string{"7.14", "8.7"}, Sensitivity: sensitivity.Confidential},
			{Title: "Militia channel messages", SpeechDate: "2025-06-02", Medium: "messaging channel", Reach: 8000,
				Audience: "militia members and sympathisers", TargetGroup: "the Tesh minority", SpeakerRole: "militia commander",
				Speaker: "'Captain Grey' (demo)", Text: "Listed villages by name and told members to 'finish what was started'.",
				Levels: lv("high", "high", "high", "high", "high", "high"),
				Notes: map[string]string{"context": "Ongoing attacks in the province.", "speaker": "Commands armed men who obey him.",
					"intent": "Explicit instruction.", "content": "Direct call to kill, with targets named.",
					"extent": "Whole membership; forwarded widely.", "likelihood": "Imminent: the channel announced a date."},
				Tier: "criminal", GenocideIncitement: true, Response: "Urgent referral to the prosecutor; alert to the Special Adviser's office.",
				Indicators: []string{"7.14", "8.7", "10.1"}, Sensitivity: sensitivity.Confidential},
		} {
			created, err := incitement.Create(ctx, tx, env.Keys, env.Institution.ID, by.ID, a)
			if err != nil {
				return err
			}
			if err := env.Audit.Append(ctx, tx, audit.Entry{Institution: env.Institution.ID, ActorID: by.ID, ActorName: "vigil demo",
				Action: "incitement.create", ObjectType: "incitement_assessment", ObjectID: created.ID, Detail: "tier=" + created.Tier}); err != nil {
				return err
			}
		}
		return nil
	}})
}
