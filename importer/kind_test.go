package importer

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"vigil/db"
)

func TestRegistryDispatch(t *testing.T) {
	var gotFiles []string
	Register(Kind{Name: "zz-test-people", Summary: "people (CSV)", Run: func(ctx context.Context, d *db.DB, files []string, p *Progress) (Result, error) {
		gotFiles = files
		p.Add(1) // nil progress is fine
		return Result{Inserted: len(files)}, nil
	}})
	Register(Kind{Name: "zz-test-places", Summary: "places (CSV)", Run: func(context.Context, *db.DB, []string, *Progress) (Result, error) {
		t.Fatal("wrong kind dispatched")
		return Result{}, nil
	}})

	k, ok := Lookup("zz-test-people")
	if !ok {
		t.Fatal("registered kind not found")
	}
	res, err := k.Run(context.Background(), nil, []string{"a.csv", "b.csv"}, nil)
	if err != nil || res.Inserted != 2 || !reflect.DeepEqual(gotFiles, []string{"a.csv", "b.csv"}) {
		t.Fatalf("dispatch: %+v %v %v", res, err, gotFiles)
	}
	if _, ok := Lookup("zz-test-nothing"); ok {
		t.Fatal("unknown kind found")
	}

	var listed []string
	for _, k := range Kinds() {
		listed = append(listed, k.Name)
	}
	for i := 1; i < len(listed); i++ {
		if listed[i-1] >= listed[i] {
			t.Fatalf("Kinds not sorted: %v", listed)
		}
	}
	if !slices.Contains(listed, "zz-test-people") || !slices.Contains(listed, "zz-test-places") {
		t.Fatalf("Kinds = %v", listed)
	}

	for name, bad := range map[string]Kind{
		"duplicate": {Name: "zz-test-people", Run: k.Run},
		"no name":   {Run: k.Run},
		"no run":    {Name: "zz-test-norun"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Register did not panic", name)
				}
			}()
			Register(bad)
		}()
	}
}
