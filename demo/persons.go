package demo

import (
	"context"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/incident"
	"vigil/sensitivity"
)

// Invented persons for the demo's documentation: names and places are made
// up and belong to no one.
func init() {
	Register(Seeder{Name: "persons", Order: 10, Seed: func(ctx context.Context, tx *db.Tx, env Env) error {
		by := env.Users[access.Documenter]
		for _, p := range []incident.Person{
			{Kind: "victim", Pseudonym: "V-001", Name: "Mirela Ostvan", Contact: "via the Kelvast legal aid clinic", Address: "Lower Brennet district, Kelvast",
				Sex: "female", AgeGroup: "adult (18-59)", Notes: "Detained overnight after the March market protest; released without charge.", Sensitivity: sensitivity.Confidential},
			{Kind: "victim", Pseudonym: "V-002", Name: "Dario Keshet-Vall", IDDocument: "XV-4471902", Address: "Hill road camp, Oravia province",
				Sex: "male", AgeGroup: "child (0-17)", Notes: "Injured when the camp was cleared; family displaced.", Sensitivity: sensitivity.Confidential},
			{Kind: "witness", Pseudonym: "W-001", Name: "Sana Broumel", Contact: "+000 0000 0001 (demo)", Sex: "female", AgeGroup: "older (60+)",
				Notes: "Saw the arrests from the pharmacy across the square.", Sensitivity: sensitivity.Confidential},
			{Kind: "source", Pseudonym: "S-001", Name: "Oravia Community Radio", Sex: "unknown", AgeGroup: "unknown",
				Notes: "Broadcast recordings of the speeches of 12 April.", Sensitivity: sensitivity.Internal},
			{Kind: "alleged_perpetrator", Pseudonym: "P-001", Name: "Commander of the 3rd Rapid Intervention Company", Sex: "unknown", AgeGroup: "unknown",
				Sensitivity: sensitivity.Internal},
		} {
			created, err := incident.CreatePerson(ctx, tx, env.Keys, env.Institution.ID, by.ID, p)
			if err != nil {
				return err
			}
			if err := env.Audit.Append(ctx, tx, audit.Entry{Institution: env.Institution.ID, ActorID: by.ID, ActorName: "vigil demo",
				Action: "person.create", ObjectType: "person", ObjectID: created.ID}); err != nil {
				return err
			}
		}
		return nil
	}})
}
