package recommend

import (
	"context"
	"strings"
	"testing"

	"vigil/db"
	"vigil/db/dbtest"
)

func TestImportUHRI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := d.Write(ctx, db.System, func(tx *db.Tx) error { seedCountries(t, ctx, tx); return nil }); err != nil {
			t.Fatal(err)
		}
		f := writeFile(t, "u.json", []byte(`[
 {"AnnotationId":"a1","Symbol":"CAT/C/AFG/CO/2","Text":"Ensure that every allegation of torture is investigated.","PublicationDate":"2017-06-12T00:00:00",
  "Countries":["Afghanistan"],"AffectedPersons":["Persons deprived of their liberty"],"Themes":["Torture"],"Sdgs":["16.3"],"Body":"CAT","Paragraph":"12"},
 {"AnnotationId":"a2","Symbol":"A/HRC/40/1","Text":"Protect journalists.","Countries":["France","DPR Korea"],"Themes":["Freedom of expression"],"Body":"- SR on freedom of expression"},
 {"AnnotationId":"a3","Text":"Something.","Countries":["Atlantis"],"Body":"CCPR"}
]`))
		res, err := ImportUHRI(ctx, d, []string{f}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Inserted != 3 || res.Rejected != 1 || !strings.Contains(res.Errors[0].Message, "Atlantis") || res.Errors[0].Row != 3 {
			t.Fatalf("%+v", res)
		}
		d.Read(ctx, db.System, func(tx *db.Tx) error {
			r, err := Search(ctx, tx, Filter{Query: "tortured", NoFacets: true})
			if err != nil || r.Total != 1 || r.Results[0].Mechanism != "treaty_body" || r.Results[0].IssuedOn != "2017-06-12" || r.Results[0].Paragraph != "12" {
				t.Errorf("%+v %v", r, err)
			}
			r, _ = Search(ctx, tx, Filter{Mechanism: "special_procedure", NoFacets: true})
			if r.Total != 2 {
				t.Errorf("special procedures: %d", r.Total)
			}
			return nil
		})
		res, _ = ImportUHRI(ctx, d, []string{f}, nil)
		if res.Unchanged != 3 || res.Inserted != 0 {
			t.Fatalf("again: %+v", res)
		}
	})
}
