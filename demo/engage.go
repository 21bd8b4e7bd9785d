package demo

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/engage"
	"vigil/exchange"
	"vigil/sensitivity"
)

// A year of invented engagement work in 2026 for the demo institution:
// partners, a few confidential contacts, and activities under both headings
// of the report to the Special Adviser's office. Every name is made up.
func init() {
	Register(Seeder{Name: "engagement", Order: 50, Seed: seedEngagement})
}

type demoActivity struct {
	a        engage.Activity
	partners []string // keys of demoPartners
	links    string
	later    []engage.Update // status changes after recording
}

var demoPartners = []struct {
	key string
	p   engage.Partner
}{
	{"hrc", engage.Partner{Name: "Standing Committee on Human Rights, National Assembly of Vangoria", Kind: "parliament", CountryCode: "XVG",
		Description: "Cross-party committee that hears the Commission's annual and special reports.", Sensitivity: sensitivity.Public}},
	{"justice", engage.Partner{Name: "Ministry of Justice", Kind: "ministry", CountryCode: "XVG", Sensitivity: sensitivity.Public}},
	{"interior", engage.Partner{Name: "Ministry of the Interior", Kind: "ministry", CountryCode: "XVG", Sensitivity: sensitivity.Public}},
	{"police", engage.Partner{Name: "Independent Police Oversight Board", Kind: "oversight_body", CountryCode: "XVG",
		Description: "Receives complaints against the National Police and the Rapid Intervention Companies.", Sensitivity: sensitivity.Partners}},
	{"csoc", engage.Partner{Name: "Oravia Civic Forum", Kind: "civil_society", CountryCode: "XVG",
		Description: "Coalition of community organisations in the Oravia province.", Sensitivity: sensitivity.Public}},
	{"press", engage.Partner{Name: "Vangoria Press Association", Kind: "media", CountryCode: "XVG", Sensitivity: sensitivity.Public}},
	{"osapg", engage.Partner{Name: "Office of the UN Special Adviser on the Prevention of Genocide", Kind: "un_office",
		Description: "Focal point for atrocity prevention in the UN system.", Sensitivity: sensitivity.Public}},
	{"ohchr", engage.Partner{Name: "OHCHR regional office (demo)", Kind: "un_office", Sensitivity: sensitivity.Public}},
	{"srfe", engage.Partner{Name: "Special Rapporteur on freedom of expression", Kind: "un_mechanism", Sensitivity: sensitivity.Public}},
	{"upr", engage.Partner{Name: "Human Rights Council, Universal Periodic Review", Kind: "un_mechanism", Sensitivity: sensitivity.Public}},
	{"network", engage.Partner{Name: "Regional Network of National Human Rights Institutions", Kind: "regional_network",
		Description: "Peer network; runs the working group on atrocity prevention.", Sensitivity: sensitivity.Public}},
	{"ostland", engage.Partner{Name: "Ombudsperson of Ostland (demo)", Kind: "nhri", CountryCode: "XOS",
		Description: "Neighbouring institution working in a country at risk; partner for exchanges of good practice.", Sensitivity: sensitivity.Partners}},
	{"univ", engage.Partner{Name: "Kelvast University, Centre for Conflict Studies", Kind: "academic", CountryCode: "XVG", Sensitivity: sensitivity.Internal}},
}

var demoContacts = []struct {
	partner string
	c       engage.Contact
}{
	{"hrc", engage.Contact{Position: "Committee clerk", Name: "Orsolya Venkel", Email: "clerk.hrc@assembly.example", Phone: "+000 0000 0101 (demo)"}},
	{"osapg", engage.Contact{Position: "Desk officer for the region", Name: "Marcus Adeyemi-Roth", Email: "desk@osapg.example"}},
	{"ostland", engage.Contact{Position: "Deputy Ombudsperson", Name: "Teodora Ilsk", Phone: "+000 0000 0202 (demo)", Notes: "Prefers calls on secure messaging."}},
	{"police", engage.Contact{Position: "Head of investigations", Name: "Farid Olumbe", Email: "investigations@ipob.example"}},
}

var demoActivities = []demoActivity{
	{a: engage.Activity{Kind: "publication", Title: "Annual report on atrocity crime risks 2025 published", StartDate: "2026-01-28", Status: "done",
		Summary: "The Commission's second annual assessment on the UN Framework of Analysis, public edition.",
		Outcome: "Covered by four national newspapers; tabled in the National Assembly.", Sensitivity: sensitivity.Public},
		links: "report: Annual report 2025\nrisk_factor: RF8\nrisk_factor: RF10"},
	{a: engage.Activity{Kind: "internal_measure", Title: "Atrocity-prevention focal point appointed and early-warning unit set up", StartDate: "2026-01-12", Status: "done",
		Summary: "A commissioner named focal point; two analysts assigned to a monthly risk review.", Outcome: "Monthly risk review running since February.",
		Sensitivity: sensitivity.Public}},
	{a: engage.Activity{Kind: "training", Title: "Staff training on the Framework of Analysis", StartDate: "2026-02-09", EndDate: "2026-02-11", Status: "done",
		Summary: "Three days for 24 staff from the regional offices on risk factors, indicators and documentation standards.",
		Outcome: "All regional offices now file monthly indicator notes.", Sensitivity: sensitivity.Public}, links: "risk_factor: RF1\nrisk_factor: RF7"},
	{a: engage.Activity{Kind: "briefing", Title: "Briefing to the Standing Committee on Human Rights on the annual report", StartDate: "2026-02-18", Status: "done",
		Summary: "Presentation of the annual report's findings on hate speech and the Oravia displacement.",
		Outcome: "The committee asked the Ministry of the Interior for a written reply within 60 days.", FollowUpDate: "2026-04-20",
		FollowUp: "Check that the ministry's reply was received and published.", Sensitivity: sensitivity.Public},
		partners: []string{"hrc"}, links: "report: Annual report 2025\nrecommendation: UPR 120.14",
		later: []engage.Update{{Status: "follow_up", Note: "Reply overdue by two weeks"}, {Status: "done", Note: "Ministry reply received 4 May and published by the committee"}}},
	{a: engage.Activity{Kind: "proposal", Title: "Proposal for a parliamentary committee on atrocity prevention", StartDate: "2026-03-03", Status: "in_progress",
		Summary: "Written proposal to the Speaker and the Standing Committee for a joint committee on atrocity prevention with a yearly hearing of the Commission.",
		Outcome: "Speaker's office agreed to put the proposal to the Conference of Presidents.", FollowUpDate: "2026-12-10",
		FollowUp: "Brief the Conference of Presidents before the vote.", Sensitivity: sensitivity.Public}, partners: []string{"hrc"}},
	{a: engage.Activity{Kind: "submission", Title: "Mid-term UPR submission on the fourth cycle", StartDate: "2026-03-16", Status: "done",
		Summary: "Stakeholder report on the follow-up of the recommendations the State accepted on incitement, missing persons and police custody.",
		Outcome: "Cited in the OHCHR summary of stakeholders' information.", Sensitivity: sensitivity.Public},
		partners: []string{"upr"}, links: "recommendation: UPR 120.14\nrecommendation: UPR 120.31\nrecommendation: UPR 120.52"},
	{a: engage.Activity{Kind: "meeting", Title: "Working meeting with the Independent Police Oversight Board on the market protest arrests", StartDate: "2026-03-25", Status: "done",
		Summary: "Exchange of case lists and agreement on joint follow-up of complaints against the 3rd Rapid Intervention Company.",
		Outcome: "Board opened 11 files; monthly case review agreed.", FollowUpDate: "2026-06-30", FollowUp: "Review progress of the 11 files.",
		Sensitivity: sensitivity.Confidential}, partners: []string{"police"}, links: "incident: Kelvast market protest, March 2025"},
	{a: engage.Activity{Kind: "consultation", Title: "Activity update and request for advice sent to the Special Adviser's office", StartDate: "2026-04-07", Status: "done",
		Summary: "Letter reporting the Commission's first-quarter activities and asking for advice on monitoring hate speech ahead of the elections.",
		Outcome: "The office shared its hate-speech monitoring guidance and offered a call.", Sensitivity: sensitivity.Partners}, partners: []string{"osapg"}},
	{a: engage.Activity{Kind: "briefing", Title: "Civil society briefing in Oravia on early-warning indicators", StartDate: "2026-04-22", Status: "done",
		Summary: "Half-day session with 30 community organisations on what to report and how the Commission protects sources.",
		Outcome: "Eight organisations agreed to send monthly alerts.", Sensitivity: sensitivity.Public}, partners: []string{"csoc"}, links: "risk_factor: RF9"},
	{a: engage.Activity{Kind: "training", Title: "Training for journalists on reporting without incitement", StartDate: "2026-05-12", Status: "done",
		Summary: "With the Press Association: the Rabat threshold test and case studies.", Outcome: "Press Association adopted a short editorial guideline.",
		Sensitivity: sensitivity.Public}, partners: []string{"press"}, links: "risk_factor: RF12\nrecommendation: UPR 120.14"},
	{a: engage.Activity{Kind: "visit", Title: "Country visit of the Special Rapporteur on freedom of expression", StartDate: "2026-05-25", EndDate: "2026-06-03", Status: "done",
		Summary: "The Commission briefed the Rapporteur on arrival, arranged meetings in Oravia and met the Rapporteur again at the end of the visit.",
		Outcome: "End-of-mission statement took up the Commission's concerns on broadcast licensing.", FollowUpDate: "2027-03-01",
		FollowUp: "Comment on the Rapporteur's report at the Human Rights Council.", Sensitivity: sensitivity.Public}, partners: []string{"srfe", "ohchr"}},
	{a: engage.Activity{Kind: "joint_event", Title: "Regional workshop on national early-warning systems", StartDate: "2026-06-17", EndDate: "2026-06-18", Status: "done",
		Summary: "Co-hosted with the Regional Network in Kelvast; seven institutions presented how they monitor risk.",
		Outcome: "Network working group to draft common indicators by year end.", FollowUpDate: "2026-12-15", FollowUp: "Send comments on the draft indicators.",
		Sensitivity: sensitivity.Public}, partners: []string{"network", "ohchr"}},
	{a: engage.Activity{Kind: "good_practice", Title: "Exchange of good practice with the Ombudsperson of Ostland on documentation security", StartDate: "2026-07-08", EndDate: "2026-07-10", Status: "done",
		Summary: "Two Ostland staff spent three days with the documentation unit on encrypted case files and source protection.",
		Outcome: "Ostland adopted the Commission's source-protection checklist.", Sensitivity: sensitivity.Partners}, partners: []string{"ostland", "network"}},
	{a: engage.Activity{Kind: "monitoring", Title: "Monitoring of the pre-election period in Oravia", StartDate: "2026-08-03", EndDate: "2026-09-30", Status: "done",
		Summary: "Field monitors in four districts and a weekly hate-speech review.", Outcome: "Two alerts issued to the Interior Ministry; no mass violence recorded.",
		Sensitivity: sensitivity.Internal}, links: "risk_factor: RF8\nrisk_factor: RF12"},
	{a: engage.Activity{Kind: "briefing", Title: "Briefing to the Ministry of the Interior on pre-election risks", StartDate: "2026-08-20", Status: "done",
		Summary: "Closed briefing on the monitoring findings and on the conduct of the Rapid Intervention Companies.",
		Outcome: "Ministry agreed to deploy observers from the Oversight Board at rallies.", Sensitivity: sensitivity.Partners},
		partners: []string{"interior", "police"}, links: "risk_factor: RF8"},
	{a: engage.Activity{Kind: "briefing", Title: "Press conference on the pre-election monitoring", StartDate: "2026-09-08", Status: "done",
		Summary: "Public findings and a call to candidates to refrain from inflammatory speech.", Sensitivity: sensitivity.Public}, partners: []string{"press"}},
	{a: engage.Activity{Kind: "submission", Title: "Shadow report to the Committee against Torture", StartDate: "2026-09-21", Status: "done",
		Summary: "Information on police custody and the follow-up of the 2024 concluding observations.", Sensitivity: sensitivity.Public},
		links: "recommendation: CAT/C/XVG/CO/2 para 17\ntreaty: CAT"},
	{a: engage.Activity{Kind: "training", Title: "Training of prosecutors on incitement cases", StartDate: "2026-10-06", Status: "done",
		Summary: "With the Ministry of Justice, for 40 prosecutors.", Outcome: "Ministry to include the module in the magistrates' school curriculum.",
		FollowUpDate: "2027-01-31", FollowUp: "Check the curriculum change.", Sensitivity: sensitivity.Public}, partners: []string{"justice"}, links: "recommendation: UPR 120.14"},
	{a: engage.Activity{Kind: "meeting", Title: "Research partnership on displacement data", StartDate: "2026-10-14", Status: "in_progress",
		Summary: "Data-sharing agreement under negotiation with the university's Centre for Conflict Studies.", Sensitivity: sensitivity.Internal}, partners: []string{"univ"}},
	{a: engage.Activity{Kind: "joint_event", Title: "Annual meeting of the Regional Network's atrocity-prevention working group", StartDate: "2026-11-04", EndDate: "2026-11-05", Status: "done",
		Summary: "The Commission presented its early-warning unit and co-chaired the session on parliament.", Sensitivity: sensitivity.Public},
		partners: []string{"network", "ostland"}},
	{a: engage.Activity{Kind: "consultation", Title: "Invitation to the Special Adviser's office to the national conference on prevention", StartDate: "2026-11-16", Status: "done",
		Summary: "Invitation sent for the conference planned in December.", Outcome: "The office confirmed a speaker by video link.", Sensitivity: sensitivity.Public},
		partners: []string{"osapg"}},
	{a: engage.Activity{Kind: "joint_event", Title: "National conference on the prevention of atrocity crimes", StartDate: "2026-12-08", Status: "planned",
		Summary:      "With parliament, ministries, civil society and the Special Adviser's office; launch of the proposal for a parliamentary committee.",
		FollowUpDate: "2026-12-22", FollowUp: "Publish the conference conclusions.", Sensitivity: sensitivity.Public},
		partners: []string{"hrc", "justice", "csoc", "osapg"}},
	{a: engage.Activity{Kind: "publication", Title: "Briefing note to parliament on the 2027 budget of prevention bodies", StartDate: "2026-12-14", Status: "planned",
		Sensitivity: sensitivity.Public}, partners: []string{"hrc"}},
}

func seedEngagement(ctx context.Context, tx *db.Tx, env Env) error {
	inst := env.Institution.ID
	by := env.Users[access.Analyst]
	log := func(action, typ, id, detail string) error {
		return env.Audit.Append(ctx, tx, audit.Entry{Institution: inst, ActorID: by.ID, ActorName: "vigil demo", Action: action, ObjectType: typ, ObjectID: id, Detail: detail})
	}
	ids := map[string]string{}
	for _, dp := range demoPartners {
		p, err := engage.CreatePartner(ctx, tx, inst, by.ID, dp.p)
		if err != nil {
			return err
		}
		ids[dp.key] = p.ID
		if err := log("partner.create", "partner", p.ID, "kind="+p.Kind); err != nil {
			return err
		}
	}
	for _, dc := range demoContacts {
		c := dc.c
		c.PartnerID = ids[dc.partner]
		created, err := engage.AddContact(ctx, tx, env.Keys, inst, by.ID, sensitivity.Confidential, c)
		if err != nil {
			return err
		}
		if err := log("contact.create", "contact", created.ID, "sensitivity="+created.Sensitivity.String()); err != nil {
			return err
		}
	}
	for _, da := range demoActivities {
		a := da.a
		for _, k := range da.partners {
			a.PartnerIDs = append(a.PartnerIDs, ids[k])
		}
		links, err := engage.ParseLinks(da.links)
		if err != nil {
			return err
		}
		a.Links = links
		created, err := engage.CreateActivity(ctx, tx, inst, by.ID, sensitivity.Confidential, a)
		if err != nil {
			return err
		}
		if err := log("activity.create", "activity", created.ID, "kind="+created.Kind); err != nil {
			return err
		}
		for _, u := range da.later {
			if _, err := engage.UpdateActivity(ctx, tx, inst, created.ID, by.ID, sensitivity.Confidential, u); err != nil {
				return err
			}
			if err := log("activity.status", "activity", created.ID, "status="+u.Status); err != nil {
				return err
			}
		}
	}
	return seedExchange(ctx, tx, env, log)
}

// seedExchange receives one bundle from the demo's peer institution in
// Ostland: its key is trusted, and the bundle carries an exchange of good
// practice and a published risk summary. The key is made for the demo and
// thrown away, so nothing more can ever be signed with it.
func seedExchange(ctx context.Context, tx *db.Tx, env Env, log func(action, typ, id, detail string) error) error {
	inst := env.Institution.ID
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	k, err := exchange.Trust(ctx, tx, inst, "Ombudsperson of Ostland (demo)", exchange.EncodePublicKey(pub), env.Users[access.Administrator].ID)
	if err != nil {
		return err
	}
	if err := log("exchange.trust", "exchange_key", k.ID, "fingerprint="+k.Fingerprint); err != nil {
		return err
	}
	body := func(v map[string]any) json.RawMessage { b, _ := json.Marshal(v); return b }
	c := exchange.Content{BundleID: db.NewID(), Sender: "Ombudsperson of Ostland (demo)", Country: "XOS", CreatedAt: "2026-09-02T09:00:00.000000Z", Level: "partners",
		Records: []exchange.Record{
			{ID: db.NewID(), Kind: "activity", Title: "Ostland: mobile complaint desks in border districts", Date: "2026-08-12", Sensitivity: "public",
				Body: body(map[string]any{"activity_kind": "good_practice", "summary": "Staff travel weekly to three border districts to take complaints where people cannot reach the capital.",
					"outcome": "Complaints from the districts tripled in six months."})},
			{ID: db.NewID(), Kind: "risk_summary", Title: "Ostland: published summary of atrocity risks, first half of 2026", Date: "2026-07-30", Sensitivity: "partners",
				Body: body(map[string]any{"summary": "Risk judged elevated on armed conflict and on weak protection of minorities; no trigger seen yet.",
					"factors": []string{"RF1", "RF4", "RF9"}})},
		}}
	data, err := exchange.Sign(c, priv)
	if err != nil {
		return err
	}
	res, err := exchange.Import(ctx, tx, inst, data)
	if err != nil {
		return err
	}
	return log("exchange.import", "bundle", res.BundleID, fmt.Sprintf("from=%s inserted=%d", res.Fingerprint, res.Inserted))
}
