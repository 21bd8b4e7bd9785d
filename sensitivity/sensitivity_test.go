package sensitivity

import "testing"

func TestAllows(t *testing.T) {
	cases := []struct {
		max, l Level
		want   bool
	}{
		{Public, Public, true}, {Public, Partners, false}, {Partners, Internal, false},
		{Internal, Internal, true}, {Internal, Confidential, false}, {Confidential, Confidential, true},
		{Confidential, Level(0), false}, {Confidential, Level(9), false}, {Level(0), Public, false},
	}
	for _, c := range cases {
		if got := Allows(c.max, c.l); got != c.want {
			t.Errorf("Allows(%v, %v) = %v, want %v", c.max, c.l, got, c.want)
		}
	}
}

func TestFilterAndField(t *testing.T) {
	type rec struct {
		name string
		l    Level
	}
	in := []rec{{"a", Public}, {"b", Confidential}, {"c", Partners}, {"d", Internal}}
	got := Filter(Partners, in, func(r rec) Level { return r.l })
	if len(got) != 2 || got[0].name != "a" || got[1].name != "c" {
		t.Fatalf("partners filter = %v", got)
	}
	if len(in) != 4 || in[1].name != "b" {
		t.Fatal("Filter changed its input")
	}
	if Field(Public, Internal, "secret") != Redacted || Field(Internal, Internal, "x") != "x" {
		t.Fatal("Field redaction wrong")
	}
}

func TestParse(t *testing.T) {
	for _, l := range All {
		p, err := Parse(" " + l.String() + " ")
		if err != nil || p != l {
			t.Fatalf("Parse(%q) = %v, %v", l.String(), p, err)
		}
	}
	if _, err := Parse("secret"); err == nil {
		t.Fatal("unknown level accepted")
	}
}
