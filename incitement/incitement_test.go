package incitement

import (
	"strings"
	"testing"

	"vigil/sensitivity"
)

func valid() Assessment {
	a := Assessment{Title: "Rally", SpeechDate: "2025-04-12", Medium: "rally", Tier: "none", Levels: map[string]string{}, Notes: map[string]string{}}
	for _, f := range Factors {
		a.Levels[f.Key] = "low"
	}
	return a
}

func TestValidate(t *testing.T) {
	a := valid()
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if a.Sensitivity != sensitivity.Confidential {
		t.Errorf("default sensitivity %v, want confidential", a.Sensitivity)
	}
	for name, mod := range map[string]func(*Assessment){
		"no title":          func(a *Assessment) { a.Title = " " },
		"bad date":          func(a *Assessment) { a.SpeechDate = "12/04/2025" },
		"no medium":         func(a *Assessment) { a.Medium = "" },
		"negative reach":    func(a *Assessment) { a.Reach = -1 },
		"bad level":         func(a *Assessment) { a.Levels["intent"] = "extreme" },
		"missing level":     func(a *Assessment) { delete(a.Levels, "extent") },
		"bad tier":          func(a *Assessment) { a.Tier = "maybe" },
		"unknown indicator": func(a *Assessment) { a.Indicators = []string{"1.1"} },
		"criminal without reasons": func(a *Assessment) {
			a.Tier = "criminal"
		},
	} {
		b := valid()
		mod(&b)
		if err := b.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c := valid()
	c.Tier = "criminal"
	for _, f := range Factors {
		c.Notes[f.Key] = "reasons"
	}
	if err := c.Validate(); err != nil {
		t.Errorf("criminal with reasons refused: %v", err)
	}
}

func TestSuggested(t *testing.T) {
	a := valid()
	if a.Suggested() != "none" {
		t.Errorf("all low suggests %s", a.Suggested())
	}
	for _, k := range []string{"intent", "content", "likelihood"} {
		a.Levels[k] = "medium"
	}
	if a.Suggested() != "civil" {
		t.Errorf("intent, content and likelihood medium suggest %s", a.Suggested())
	}
	for _, f := range Factors {
		a.Levels[f.Key] = "high"
	}
	if a.Suggested() != "criminal" {
		t.Errorf("all high suggests %s", a.Suggested())
	}
	a.Levels["likelihood"] = "medium"
	if a.Suggested() != "civil" {
		t.Error("the criminal tier must need every factor high")
	}
}

func TestTrendOldestFirst(t *testing.T) {
	list := []Assessment{{SpeechDate: "2025-06-02", Tier: "criminal"}, {SpeechDate: "2025-04-12", Tier: "civil"}, {SpeechDate: "2024-09-14", Tier: "none"}}
	tr := Trend(list)
	if len(tr) != 2 || tr[0].Year != "2024" || tr[1].Total != 2 || tr[1].ByTier["criminal"] != 1 {
		t.Errorf("trend %+v", tr)
	}
	if !strings.Contains(TierName("civil"), "Civil") {
		t.Error("tier name")
	}
}
