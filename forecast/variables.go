package forecast

// VariableDescriptions say in plain words what each of the 39 predictors
// measures (our paraphrase of ../shared/data/ewp/README.md). The country
// page shows them beside the shift analysis.
var VariableDescriptions = map[string]string{
	"widetargeting":             "a mass killing is under way that targets several groups, or people not defined by ethnicity",
	"narrowtargeting":           "a mass killing is under way that targets one ethnic group",
	"v2csgender_binary":         "women are kept out of, or limited in, civil society",
	"v2mecenefm_binary":         "the government censors the media routinely or directly",
	"partyban.new.0":            "every party but the ruling one is banned, or there are no parties",
	"partyban.new.1":            "some or many parties are banned",
	"partyban.new.2":            "no party is banned",
	"partyban.new":              "party bans, as one category: 0 all parties but the ruling one banned, 1 some banned, 2 none banned",
	"minorityrule":              "political power is held by one minority group or a few",
	"judicialreform":            "how the judiciary's powers were changed (V-Dem judicial reform scale)",
	"religiousfreedom":          "freedom of religion (V-Dem scale, higher is freer)",
	"pol_killing_approved":      "political killings are systematic and approved or incited by top leaders",
	"freediscussion":            "freedom of discussion (V-Dem index from 0 to 1, higher is freer)",
	"social_inequality":         "some social groups have far fewer civil liberties than others",
	"even_civilrights":          "civil liberties are about the same in every region",
	"repress_civilsoc":          "civil society is severely repressed",
	"social_power_dist":         "power is unevenly shared among social groups",
	"ses_power_dist":            "how power follows wealth and social position (V-Dem, continuous)",
	"popsize.log2":              "population size (log base 2)",
	"gdppcgrowth":               "growth of income per person over the year",
	"un_imr_sqrt":               "infant mortality (square root of the rate)",
	"efindex":                   "ethnic fractionalisation",
	"discrimpop":                "share of the population in ethnic groups that are politically discriminated against",
	"reg.na":                    "region: the Americas",
	"reg.eap":                   "region: East Asia and the Pacific",
	"reg.sca":                   "region: South and Central Asia",
	"reg.mna":                   "region: Middle East and North Africa",
	"reg.eur":                   "region: Europe",
	"ios.iccpr1":                "the State accepts individual complaints under the First Optional Protocol to the ICCPR",
	"battledeaths.log2":         "battle deaths in armed conflict (log base 2 of deaths + 1)",
	"coup.try.5yr":              "a coup was attempted in the last five years",
	"mk_ongoing_count_log2":     "number of mass killings under way (log base 2 of count + 1)",
	"mean_mk_onset_interaction": "past mass-killing onsets, roughly their running count",
	"mk_onset_prev_year":        "a mass killing began the year before",
	"newcountry":                "the State became independent two years ago or less",
	"mk_ever":                   "the country has ever seen, or been responsible for, a mass killing",
	"year_sq":                   "calendar year squared (time trend)",
	"year":                      "calendar year (time trend)",
	"countryage.new.log2":       "age of the State (log base 2 of years)",
	"includesnonstate":          "the data count killings by non-state groups too",
}

// Describe returns the plain-words description of a variable, or the
// variable's own name when there is none.
func Describe(v string) string {
	if d, ok := VariableDescriptions[v]; ok {
		return d
	}
	return v
}

// FactorLink ties a predictor to the risk factor of the UN Framework of
// Analysis (numbers of Vigil's default framework, docs/risk.md) that covers
// the same ground, with the indicator the link rests on. Only links we can
// defend are listed; population, ethnic make-up, region, time, the age of
// the State and infant mortality have none.
type FactorLink struct {
	Variable string `json:"variable"`
	Factor   int    `json:"factor"`
	Why      string `json:"why"`
}

// FactorLinks is the mapping from predictor to risk factor the country page
// uses to point at disagreements, shown there as data.
var FactorLinks = []FactorLink{
	{"battledeaths.log2", 1, "1.1 an armed conflict is under way"},
	{"coup.try.5yr", 1, "1.4 power has changed hands, or tried to, outside constitutional rules"},
	{"gdppcgrowth", 1, "1.8 a deep national economic crisis"},
	{"partyban.new", 1, "1.6 authoritarian government or harsh political repression"},
	{"pol_killing_approved", 2, "2.1 serious violations that follow a pattern"},
	{"mk_ongoing_count_log2", 2, "2.1-2.2 serious violations and atrocity crimes, past or current"},
	{"widetargeting", 2, "2.1 serious violations that target groups"},
	{"narrowtargeting", 2, "2.1 serious violations that target a protected group"},
	{"mk_ever", 2, "2.2 atrocity crimes have happened before"},
	{"mean_mk_onset_interaction", 2, "2.2 atrocity crimes have happened before"},
	{"mk_onset_prev_year", 2, "2.2 atrocity crimes have happened before"},
	{"judicialreform", 3, "3.3 the judiciary is not independent or impartial"},
	{"ios.iccpr1", 3, "3.1 core treaties are not ratified"},
	{"repress_civilsoc", 6, "6.1 civil society is weak, divided or silenced"},
	{"v2mecenefm_binary", 6, "6.2 no free and independent media"},
	{"freediscussion", 6, "6.1-6.2 civil society and media are silenced"},
	{"minorityrule", 9, "9.1 a group is excluded from power"},
	{"social_power_dist", 9, "9.1 a group is excluded from power"},
	{"social_inequality", 9, "9.1 practices that discriminate against a group"},
	{"even_civilrights", 9, "9.1 practices that discriminate against a group"},
	{"discrimpop", 9, "9.1 practices that discriminate against a group"},
	{"religiousfreedom", 9, "9.1 practices that discriminate against a (religious) group"},
}

// FactorOf returns the risk factor a variable is linked to, if any.
func FactorOf(v string) (FactorLink, bool) {
	for _, l := range FactorLinks {
		if l.Variable == v {
			return l, true
		}
	}
	return FactorLink{}, false
}

// EWPSpellings are the Early Warning Project's spellings of country names
// that the ISO list and its aliases do not know, with their ISO 3166-1
// alpha-3 codes. They are tried only after the country resolver fails, and
// only when the code is in the store's country list. Kosovo has no ISO
// code and stays unmapped (reported as such).
var EWPSpellings = map[string]string{
	"Burma/Myanmar":                  "MMR",
	"Democratic Republic of Vietnam": "VNM",
	"Ivory Coast":                    "CIV",
	"Kyrgystan":                      "KGZ",
	"Macedonia":                      "MKD",
	"North Korea":                    "PRK",
	"Russia":                         "RUS",
	"South Korea":                    "KOR",
	"The Gambia":                     "GMB",
}
