package demo

import (
	"context"
	"fmt"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/sensitivity"
	"vigil/treaty"
)

// The treaty monitor's demo: a small catalogue of real instruments (ids,
// UN Treaty Collection numbers and dates are public facts; `vigil import
// untc` loads the full list), an invented participation record for
// Vangoria, one change in its history, invented declaration texts, a
// confirmed optional-procedure acceptance and a filled checklist.
func init() {
	Register(Seeder{Name: "treaties", Order: 40, Seed: seedTreaties})
}

var demoInstruments = []treaty.Instrument{
	{ID: "cerd", ShortName: "ICERD", Title: "International Convention on the Elimination of All Forms of Racial Discrimination", Category: "core_hr", UNTCID: "IV-2", Adopted: "1965-12-21", EntryIntoForce: "1969-01-04", MonitoringBody: "CERD"},
	{ID: "icescr", ShortName: "ICESCR", Title: "International Covenant on Economic, Social and Cultural Rights", Category: "core_hr", UNTCID: "IV-3", Adopted: "1966-12-16", EntryIntoForce: "1976-01-03", MonitoringBody: "CESCR"},
	{ID: "iccpr", ShortName: "ICCPR", Title: "International Covenant on Civil and Political Rights", Category: "core_hr", UNTCID: "IV-4", Adopted: "1966-12-16", EntryIntoForce: "1976-03-23", MonitoringBody: "Human Rights Committee"},
	{ID: "iccpr_op1", ShortName: "ICCPR-OP1", Title: "Optional Protocol to the International Covenant on Civil and Political Rights", Category: "core_hr_op", UNTCID: "IV-5", Adopted: "1966-12-16", EntryIntoForce: "1976-03-23", MonitoringBody: "Human Rights Committee"},
	{ID: "cedaw", ShortName: "CEDAW", Title: "Convention on the Elimination of All Forms of Discrimination against Women", Category: "core_hr", UNTCID: "IV-8", Adopted: "1979-12-18", EntryIntoForce: "1981-09-03", MonitoringBody: "CEDAW Committee"},
	{ID: "cat", ShortName: "CAT", Title: "Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment", Category: "core_hr", UNTCID: "IV-9", Adopted: "1984-12-10", EntryIntoForce: "1987-06-26", MonitoringBody: "Committee against Torture"},
	{ID: "cat_op", ShortName: "OPCAT", Title: "Optional Protocol to the Convention against Torture", Category: "core_hr_op", UNTCID: "IV-9-b", Adopted: "2002-12-18", EntryIntoForce: "2006-06-22", MonitoringBody: "Subcommittee on Prevention of Torture"},
	{ID: "crc", ShortName: "CRC", Title: "Convention on the Rights of the Child", Category: "core_hr", UNTCID: "IV-11", Adopted: "1989-11-20", EntryIntoForce: "1990-09-02", MonitoringBody: "Committee on the Rights of the Child"},
	{ID: "ced", ShortName: "ICPPED", Title: "International Convention for the Protection of All Persons from Enforced Disappearance", Category: "core_hr", UNTCID: "IV-16", Adopted: "2006-12-20", EntryIntoForce: "2010-12-23", MonitoringBody: "Committee on Enforced Disappearances"},
	{ID: "genocide", ShortName: "Genocide Convention", Title: "Convention on the Prevention and Punishment of the Crime of Genocide", Category: "atrocity", UNTCID: "IV-1", Adopted: "1948-12-09", EntryIntoForce: "1951-01-12"},
	{ID: "rome", ShortName: "Rome Statute", Title: "Rome Statute of the International Criminal Court", Category: "icl", UNTCID: "XVIII-10", Adopted: "1998-07-17", EntryIntoForce: "2002-07-01", MonitoringBody: "ICC"},
	{ID: "gc4", ShortName: "GC IV", Title: "Geneva Convention (IV) relative to the Protection of Civilian Persons in Time of War", Category: "ihl", OtherRef: "UNTS vol 75 no 973", Depositary: "Switzerland", Adopted: "1949-08-12", EntryIntoForce: "1950-10-21"},
	{ID: "ap1", ShortName: "AP I", Title: "Protocol Additional to the Geneva Conventions, relating to the Protection of Victims of International Armed Conflicts", Category: "ihl", OtherRef: "UNTS vol 1125 no 17512", Depositary: "Switzerland", Adopted: "1977-06-08", EntryIntoForce: "1978-12-07"},
	{ID: "refugee1951", ShortName: "Refugee Convention", Title: "Convention relating to the Status of Refugees", Category: "refugee", UNTCID: "V-2", Adopted: "1951-07-28", EntryIntoForce: "1954-04-22"},
	{ID: "att", ShortName: "ATT", Title: "Arms Trade Treaty", Category: "arms", UNTCID: "XXVI-8", Adopted: "2013-04-02", EntryIntoForce: "2014-12-24"},
}

// Vangoria's invented record: party to most core treaties, signed but not
// ratified the enforced-disappearance convention and the Rome Statute.
var demoParticipation = []treaty.Participation{
	{Instrument: "cerd", SignatureDate: "1967-03-08", ConsentDate: "1971-05-19", ConsentType: "ratification"},
	{Instrument: "icescr", ConsentDate: "1992-10-02", ConsentType: "accession"},
	{Instrument: "iccpr", ConsentDate: "1992-10-02", ConsentType: "accession"},
	{Instrument: "cedaw", SignatureDate: "1980-07-17", ConsentDate: "1984-02-11", ConsentType: "ratification"},
	{Instrument: "cat", ConsentDate: "1996-04-30", ConsentType: "accession"},
	{Instrument: "crc", SignatureDate: "1990-01-26", ConsentDate: "1991-06-14", ConsentType: "ratification"},
	{Instrument: "ced", SignatureDate: "2007-02-06"},
	{Instrument: "genocide", ConsentDate: "1962-11-05", ConsentType: "accession"},
	{Instrument: "rome", SignatureDate: "2000-12-29"},
	{Instrument: "gc4", ConsentDate: "1958-09-01", ConsentType: "accession"},
	{Instrument: "refugee1951", ConsentDate: "1979-03-12", ConsentType: "accession"},
	// Checked and found absent: a row without dates records "not a party"
	// with its source, so the gap analysis can say so.
	{Instrument: "iccpr_op1"}, {Instrument: "ap1"}, {Instrument: "att"},
}

func seedTreaties(ctx context.Context, tx *db.Tx, env Env) error {
	for _, in := range demoInstruments {
		in.Source = "demo catalogue"
		if _, err := treaty.UpsertInstrument(ctx, tx, in); err != nil {
			return err
		}
	}
	const src, asOf = "demo: invented record for Vangoria", "2025-12-31"
	for _, p := range demoParticipation {
		p.State, p.Source, p.AsOf = Country, src, asOf
		if _, err := treaty.UpsertParticipation(ctx, tx, p); err != nil {
			return err
		}
	}
	// OPCAT: signed in the older data, ratified in the newer, so the
	// history shows one change.
	for _, p := range []treaty.Participation{
		{State: Country, Instrument: "cat_op", SignatureDate: "2019-09-25", Source: src, AsOf: "2023-12-31"},
		{State: Country, Instrument: "cat_op", SignatureDate: "2019-09-25", ConsentDate: "2024-11-08", ConsentType: "ratification", Source: src, AsOf: asOf},
	} {
		if _, err := treaty.UpsertParticipation(ctx, tx, p); err != nil {
			return err
		}
	}
	decls := []treaty.Declaration{
		{State: Country, Instrument: "cat", Section: "optional_articles", Heading: "Declarations made under articles 21 and 22",
			Body: "The Republic of Vangoria declares, in accordance with article 22, paragraph 1, of the Convention, that it recognizes the competence of the Committee against Torture to receive and consider communications from or on behalf of individuals subject to its jurisdiction who claim to be victims of a violation of the Convention."},
		{State: Country, Instrument: "iccpr", Section: "optional_articles", Heading: "Declarations recognizing the competence of the Human Rights Committee under article 41",
			Body: "The Republic of Vangoria recognizes, under article 41 of the Covenant, the competence of the Human Rights Committee to receive and consider communications in which a State Party claims that Vangoria is not fulfilling its obligations."},
		{State: Country, Instrument: "genocide", Section: "reservations", Heading: "Declarations and reservations",
			Body: "The Republic of Vangoria does not consider itself bound by article IX of the Convention; a dispute may go to the International Court of Justice only with the consent of every party to it."},
	}
	for _, d := range decls {
		d.Suggested = treaty.Suggest(d.Instrument, d.Section, d.Body)
		d.Source, d.AsOf = src, asOf
		if _, err := treaty.UpsertDeclaration(ctx, tx, d); err != nil {
			return err
		}
	}
	analyst := env.Users[access.Analyst]
	rec := func(action, typ, id, detail string) error {
		return env.Audit.Append(ctx, tx, audit.Entry{Institution: env.Institution.ID, ActorID: analyst.ID, ActorName: "vigil demo",
			Action: action, ObjectType: typ, ObjectID: id, Detail: detail})
	}
	a, err := treaty.Confirm(ctx, tx, env.Institution.ID, analyst.ID, treaty.Acceptance{State: Country, Procedure: "iccpr.art41", Status: "accepted",
		DeclarationID: treaty.DeclarationID(Country, "iccpr", "optional_articles"), AcceptedOn: "1993-05-04",
		Note: "Checked against the declaration's text.", Sensitivity: sensitivity.Public})
	if err != nil {
		return err
	}
	if err := rec("treaty.acceptance.confirm", "treaty_acceptance", a.ID, "state="+Country+" procedure=iccpr.art41 status=accepted"); err != nil {
		return err
	}
	for _, c := range []treaty.CheckEntry{
		{Item: "crime_genocide", Status: "yes", Evidence: "Penal Code of Vangoria, art. 301 (2009 revision) defines genocide in the Convention's terms.", AsOf: "2025-10-01"},
		{Item: "crime_cah", Status: "no", Evidence: "No provision; a draft law on international crimes has been before parliament since 2021.", AsOf: "2025-10-01"},
		{Item: "crime_war", Status: "partly", Evidence: "The Military Code covers grave breaches only; crimes in internal armed conflict are missing.", AsOf: "2025-10-01"},
		{Item: "crime_torture", Status: "partly", Evidence: "Torture is an aggravating circumstance of assault, not a separate crime.", AsOf: "2025-10-01"},
		{Item: "crime_disappearance", Status: "no", Evidence: "No separate crime; cases are charged as unlawful detention.", AsOf: "2025-10-01"},
		{Item: "npm", Status: "partly", Evidence: "The Commission was named national preventive mechanism in 2025 but has no budget line for visits yet.", AsOf: "2025-12-01", SourceURL: "https://example.org/vangoria/npm-decree"},
		{Item: "standing_invitation", Status: "yes", Evidence: "Standing invitation extended in 2012.", AsOf: "2025-06-30"},
		{Item: "reports_current", Status: "no", Evidence: "The report to the Committee against Torture has been overdue since 2022.", AsOf: "2025-12-01", Sensitivity: sensitivity.Partners},
	} {
		c.State = Country
		saved, err := treaty.SaveCheck(ctx, tx, env.Institution.ID, analyst.ID, c)
		if err != nil {
			return err
		}
		if err := rec("treaty.checklist.save", "treaty_checklist", saved.ID, fmt.Sprintf("state=%s item=%s status=%s", Country, c.Item, c.Status)); err != nil {
			return err
		}
	}
	return nil
}
