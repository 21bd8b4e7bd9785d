package demo

import (
	"context"
	"strconv"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/recommend"
	"vigil/sensitivity"
)

// Invented recommendations to the fictional State of Vangoria, with the
// demo institution's follow-up: actions, the government's account and the
// institution's own assessment, and a link to a risk indicator. The texts
// are written for the demo and quote no real document.
func init() {
	Register(Seeder{Name: "recommendations", Order: 30, Seed: func(ctx context.Context, tx *db.Tx, env Env) error {
		recs := []recommend.Recommendation{
			{Mechanism: "upr", Body: "Human Rights Council (UPR Working Group)", RecommendingState: "FRA", Cycle: 4, Session: "44", DocumentSymbol: "A/HRC/00/0 (demo)", Paragraph: "120.14",
				Text: "Adopt a law criminalising incitement to violence and hatred against ethnic and religious groups, in line with the Rabat Plan of Action.", Themes: []string{"Minorities", "Racial discrimination"}, Response: "supported", ActionCategory: 5},
			{Mechanism: "upr", Body: "Human Rights Council (UPR Working Group)", RecommendingState: "CAN", Cycle: 4, Session: "44", DocumentSymbol: "A/HRC/00/0 (demo)", Paragraph: "120.31",
				Text: "Ratify the Rome Statute of the International Criminal Court and align national law with it.", Themes: []string{"International instruments", "Impunity"}, Response: "noted", ActionCategory: 5},
			{Mechanism: "upr", Body: "Human Rights Council (UPR Working Group)", RecommendingState: "MEX", Cycle: 4, Session: "44", DocumentSymbol: "A/HRC/00/0 (demo)", Paragraph: "120.52",
				Text: "Investigate every allegation of enforced disappearance in Oravia province and bring those responsible to justice.", Themes: []string{"Enforced disappearances", "Impunity"}, Response: "supported_in_part", ActionCategory: 5},
			{Mechanism: "treaty_body", Body: "Committee against Torture", Cycle: 0, DocumentSymbol: "CAT/C/XVG/CO/2 (demo)", Paragraph: "17",
				Text: "Ensure that all persons deprived of liberty have prompt access to a lawyer and that detention sites are open to independent monitoring.", Themes: []string{"Detention", "Torture and other CID treatment"}, Response: "pending"},
			{Mechanism: "special_procedure", Body: "Special Rapporteur on minority issues", DocumentSymbol: "A/HRC/00/0/Add.1 (demo)", Paragraph: "88(c)",
				Text: "Set up an early-warning mechanism on hate speech targeting minorities, with the participation of the national human rights institution.", Themes: []string{"Minorities", "Freedom of opinion and expression"}, Response: "pending"},
		}
		by := env.Users[access.Analyst]
		var logw func(action, typ, id, detail string) error
		logw = func(action, typ, id, detail string) error {
			return env.Audit.Append(ctx, tx, audit.Entry{Institution: env.Institution.ID, ActorID: by.ID, ActorName: "vigil demo",
				Action: action, ObjectType: typ, ObjectID: id, Detail: detail})
		}
		var ids []string
		for i := range recs {
			r := &recs[i]
			r.Source, r.SourceKey, r.StateUnderReview, r.IssuedOn = "demo", "vangoria-"+strconv.Itoa(i+1), Country, "2023-11-10"
			if _, err := recommend.Save(ctx, tx, r); err != nil {
				return err
			}
			ids = append(ids, r.ID)
		}
		own, err := recommend.CreateOwn(ctx, tx, env.Institution.ID, recommend.Recommendation{StateUnderReview: Country, Body: "National Human Rights Commission of Vangoria",
			DocumentSymbol: "NHRC-V/AR/2024 (demo)", Paragraph: "7", IssuedOn: "2024-05-20", Response: "pending", Sensitivity: sensitivity.Partners,
			Text:   "Publish the rules of engagement of the Rapid Intervention Companies and open an independent inquiry into the clearing of the hill road camp.",
			Themes: []string{"Human rights violations by state agents", "Internally displaced persons"}})
		if err != nil {
			return err
		}
		if err := logw("recommendation.create", "recommendation", own.ID, "mechanism=nhri"); err != nil {
			return err
		}
		for _, a := range []recommend.Action{
			{RecommendationID: ids[0], Title: "Table a draft law on incitement in parliament", Responsible: "Ministry of Justice", Indicator: "Draft law tabled", DueOn: "2025-06-30", Status: "in_progress"},
			{RecommendationID: ids[0], Title: "Train prosecutors on the Rabat threshold test", Responsible: "Prosecutor General's Office", Indicator: "Prosecutors trained", DueOn: "2026-12-31"},
			{RecommendationID: ids[2], Title: "Open a central register of missing persons", Responsible: "Ministry of the Interior", Indicator: "Register public", DueOn: "2025-03-31"},
			{RecommendationID: ids[3], Title: "Give the NHRI unannounced access to police cells", Responsible: "National Police", DueOn: "2026-09-30", Sensitivity: sensitivity.Partners},
		} {
			a, err := recommend.AddAction(ctx, tx, env.Institution.ID, by.ID, a)
			if err != nil {
				return err
			}
			if err := logw("recommendation.action.create", "recommendation", a.RecommendationID, "action="+a.ID); err != nil {
				return err
			}
		}
		for _, a := range []recommend.Assessment{
			{RecommendationID: ids[0], Source: "government", Status: "partially", AssessedBy: "Ministry of Justice (national report)", AssessedOn: "2025-02-01", Evidence: "Says a draft law is before the cabinet."},
			{RecommendationID: ids[0], Source: "nhri", Status: "not_implemented", AssessedBy: "Commissioner Aurel Dantic", AssessedOn: "2025-03-15", Evidence: "No draft reached parliament; three broadcasts inciting violence went unpunished (monitoring log, March)."},
			{RecommendationID: ids[2], Source: "government", Status: "fully", AssessedBy: "Ministry of the Interior", AssessedOn: "2025-01-20", Evidence: "Says all complaints were investigated."},
			{RecommendationID: ids[2], Source: "nhri", Status: "partially", AssessedBy: "Tomas Ilvane", AssessedOn: "2025-04-02", Evidence: "Of 41 complaints received by the institution, 12 led to an investigation; none to a trial.", Sensitivity: sensitivity.Internal},
		} {
			a, err := recommend.AddAssessment(ctx, tx, env.Institution.ID, by.ID, a)
			if err != nil {
				return err
			}
			if err := logw("recommendation.assessment.create", "recommendation", a.RecommendationID, "source="+a.Source+" status="+a.Status); err != nil {
				return err
			}
		}
		l, err := recommend.AddRiskLink(ctx, tx, env.Institution.ID, recommend.RiskLink{RecommendationID: ids[0], IndicatorCode: "9.1",
			Rationale: "A law against incitement targeting ethnic and religious groups answers discrimination against them.", ConfirmedBy: by.ID})
		if err != nil {
			return err
		}
		if err := logw("recommendation.risklink.create", "recommendation", l.RecommendationID, "indicator="+l.IndicatorCode); err != nil {
			return err
		}
		// The suggestion rules over the recommendations to Vangoria; the
		// analyst confirmed one suggestion and rejected another.
		sr, err := recommend.SuggestLinks(ctx, tx, env.Institution.ID, Country)
		if err != nil {
			return err
		}
		if err := logw("recommendation.risklink.suggest", "recommendation", "", "suggested="+strconv.Itoa(sr.Suggested)); err != nil {
			return err
		}
		links, err := recommend.RiskLinks(ctx, tx, env.Institution.ID, ids[4], access.Analyst)
		if err != nil {
			return err
		}
		decided := 0
		for _, l := range links {
			if l.ConfirmedBy != "" {
				continue
			}
			action := "recommendation.risklink.confirm"
			if decided == 0 {
				_, err = recommend.ConfirmLink(ctx, tx, env.Institution.ID, l.ID, by.ID)
			} else {
				action = "recommendation.risklink.reject"
				_, err = recommend.RejectLink(ctx, tx, env.Institution.ID, l.ID, by.ID)
			}
			if err != nil {
				return err
			}
			if err := logw(action, "recommendation", l.RecommendationID, "indicator="+l.IndicatorCode+" rule="+l.Rule); err != nil {
				return err
			}
			if decided++; decided == 2 {
				break
			}
		}
		// E-mail reminders go to the administrator; one was sent about the
		// overdue register of missing persons.
		admin := env.Users[access.Administrator]
		if _, err := recommend.AddRecipient(ctx, tx, env.Keys, env.Institution.ID, admin.ID, "followup@nhrc-vangoria.example", admin.ID); err != nil {
			return err
		}
		if err := logw("recommendation.reminders.recipient.add", "user", admin.ID, ""); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO rec_reminders (id, institution_id, action_id, due_state, due_on, recipients, sent_at)
			SELECT ?, institution_id, id, 'overdue', due_on, 1, ? FROM rec_actions WHERE institution_id = ? AND recommendation_id = ? AND due_on = '2025-03-31'`,
			db.NewID(), "2025-04-01T06:00:00.000000Z", env.Institution.ID, ids[2]); err != nil {
			return err
		}
		return nil
	}})
}
