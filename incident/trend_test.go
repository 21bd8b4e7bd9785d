package incident

import "testing"

// TestAlertMethod: a region steady at 1-2 a month alarms when a month
// reaches 9; a region without enough history never alarms.
func TestAlertMethod(t *testing.T) {
	steady := map[string]int{}
	months := []string{"2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10"}
	for i, m := range months[:8] {
		steady[m] = 1 + i%2
	}
	steady["2025-09"] = 2
	steady["2025-10"] = 9
	tr := buildTrend(map[string]map[string]int{"North": steady, "New": {"2025-10": 20}}, "2025-01", "2025-10")
	if len(tr.Months) != 10 {
		t.Fatalf("months %v", tr.Months)
	}
	if len(tr.Alerts) != 1 || tr.Alerts[0].Region != "North" || tr.Alerts[0].Month != "2025-10" || tr.Alerts[0].Count != 9 {
		t.Fatalf("alerts %+v", tr.Alerts)
	}
	if tr.Series[0].Region != "North" || tr.Series[0].Total != 23 || tr.Series[1].Total != 20 {
		t.Errorf("series order %+v", tr.Series)
	}
}
