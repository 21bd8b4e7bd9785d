package forecast

// EWPModel is the reproduction of the Early Warning Project's model.
var EWPModel = Model{
	Name:        "ewp",
	Description: "Early Warning Project reproduction: elastic-net logistic regression (alpha 0.5) on 39 variables, 10-fold CV, lambda.min",
	Fit: func(d *Dataset, train []int, foldID []int) (Scorer, error) {
		cv, err := FitCV(d.Design(train), d.Targets(train), foldID, PathOptions{Alpha: 0.5}, 1)
		if err != nil {
			return nil, err
		}
		return cv.Risk, nil
	},
}

// Models lists every model the back-test can judge, the reproduction first.
func Models() []Model {
	return []Model{EWPModel}
}

// ModelByName finds a model of Models.
func ModelByName(name string) (Model, bool) {
	for _, m := range Models() {
		if m.Name == name {
			return m, true
		}
	}
	return Model{}, false
}
