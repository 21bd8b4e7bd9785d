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

// GBMModel is gradient-boosted trees on the same 39 variables.
var GBMModel = Model{
	Name:        "gbm",
	Description: "gradient-boosted trees (300 trees of depth 3, learning rate 0.05, half the rows per tree) on the same 39 variables",
	Fit: func(d *Dataset, train []int, foldID []int) (Scorer, error) {
		g, err := FitGBM(d.Design(train), d.Targets(train), DefaultGBM)
		if err != nil {
			return nil, err
		}
		return g.Risk, nil
	},
}

// EnsembleModel averages the reproduction's and the boosted trees'
// probabilities, as the EWP's 2014-2016 ensemble averaged its three models.
var EnsembleModel = Model{
	Name:        "ensemble",
	Description: "mean of the ewp and gbm probabilities (both fitted on the same rows)",
	Fit: func(d *Dataset, train []int, foldID []int) (Scorer, error) {
		a, err := EWPModel.Fit(d, train, foldID)
		if err != nil {
			return nil, err
		}
		b, err := GBMModel.Fit(d, train, foldID)
		if err != nil {
			return nil, err
		}
		return func(x []float64) float64 { return (a(x) + b(x)) / 2 }, nil
	},
}

// RFModel is a random forest on the same 39 variables.
var RFModel = Model{
	Name:        "rf",
	Description: "random forest (300 trees on bootstrap samples, 6 variables tried per split, nodes of fewer than 10 rows not split)",
	Fit: func(d *Dataset, train []int, foldID []int) (Scorer, error) {
		f, err := FitRF(d.Design(train), d.Targets(train), DefaultRF)
		if err != nil {
			return nil, err
		}
		return f.Risk, nil
	},
}

// Ensemble3Model averages the elastic net, the boosted trees and the
// forest, the three-member shape of the EWP's 2014-2016 ensemble.
var Ensemble3Model = Model{
	Name:        "ensemble3",
	Description: "mean of the ewp, gbm and rf probabilities",
	Fit: func(d *Dataset, train []int, foldID []int) (Scorer, error) {
		var fs []Scorer
		for _, m := range []Model{EWPModel, GBMModel, RFModel} {
			f, err := m.Fit(d, train, foldID)
			if err != nil {
				return nil, err
			}
			fs = append(fs, f)
		}
		return func(x []float64) float64 { return (fs[0](x) + fs[1](x) + fs[2](x)) / 3 }, nil
	},
}

// Models lists every model the back-test can judge, the reproduction first.
func Models() []Model {
	return []Model{EWPModel, GBMModel, EnsembleModel, RFModel, Ensemble3Model}
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
