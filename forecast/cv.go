package forecast

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
)

// CVFit is a cross-validated elastic-net fit: the path on all training rows
// and the lambda with the smallest cross-validated deviance (glmnet's
// lambda.min).
type CVFit struct {
	Path    *Path
	CVM     []float64 // mean cross-validated binomial deviance per lambda
	CVSD    []float64 // its standard error
	MinStep int       // index of lambda.min in Path.Lambda
}

// LambdaMin is the chosen penalty.
func (f *CVFit) LambdaMin() float64 { return f.Path.Lambda[f.MinStep] }

// Intercept and Beta at lambda.min, on the original scale.
func (f *CVFit) Intercept() float64 { return f.Path.Intercept[f.MinStep] }

// Beta returns the coefficients at lambda.min.
func (f *CVFit) Beta() []float64 { return f.Path.Beta[f.MinStep] }

// Risk returns the predicted probability for one row of predictors.
func (f *CVFit) Risk(x []float64) float64 {
	return 1 / (1 + math.Exp(-f.Path.Link(f.MinStep, x)))
}

// Probabilities are clipped like cv.glmnet does before taking logs.
const cvProbMin = 1e-5

// FitCV does what cv.glmnet does with its defaults: fit the path on all rows,
// refit it on each fold's complement with the same lambdas, score the held
// out rows at every lambda, average the binomial deviance (each fold weighted
// by its size), and take the largest lambda with the smallest mean. foldID
// holds 1..K for every row. workers > 1 fits folds concurrently.
func FitCV(x Matrix, y []float64, foldID []int, opt PathOptions, workers int) (*CVFit, error) {
	full, err := FitPath(x, y, opt)
	if err != nil {
		return nil, err
	}
	nf := 0
	for _, f := range foldID {
		if f > nf {
			nf = f
		}
	}
	if nf < 3 {
		return nil, fmt.Errorf("forecast: cross-validation needs at least 3 folds, got %d", nf)
	}
	nl := len(full.Lambda)
	foldOpt := opt
	foldOpt.Lambdas = full.Lambda
	// dev[k][l]: mean deviance of fold k+1's held-out rows at lambda l.
	dev := make([][]float64, nf)
	size := make([]float64, nf)
	errs := make([]error, nf)
	if workers < 1 {
		workers = 1
	}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for k := 1; k <= nf; k++ {
		var in, outIdx []int
		for i, f := range foldID {
			if f == k {
				outIdx = append(outIdx, i)
			} else {
				in = append(in, i)
			}
		}
		size[k-1] = float64(len(outIdx))
		wg.Add(1)
		sem <- struct{}{}
		go func(k int, in, outIdx []int) {
			defer wg.Done()
			defer func() { <-sem }()
			p, err := FitPath(x.subset(in), pick(y, in), foldOpt)
			if err != nil {
				errs[k-1] = fmt.Errorf("fold %d: %w", k, err)
				return
			}
			d := make([]float64, nl)
			row := make([]float64, len(x.Cols))
			for l := 0; l < nl; l++ {
				s := l
				if s >= len(p.Lambda) {
					s = len(p.Lambda) - 1
				}
				sum := 0.0
				for _, i := range outIdx {
					for j, c := range x.Cols {
						row[j] = c[i]
					}
					pr := 1 / (1 + math.Exp(-p.Link(s, row)))
					pr = math.Min(math.Max(pr, cvProbMin), 1-cvProbMin)
					if y[i] > 0 {
						sum += -2 * math.Log(pr)
					} else {
						sum += -2 * math.Log(1-pr)
					}
				}
				d[l] = sum / float64(len(outIdx))
			}
			dev[k-1] = d
		}(k, in, outIdx)
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return nil, e
		}
	}
	cv := &CVFit{Path: full, CVM: make([]float64, nl), CVSD: make([]float64, nl)}
	tot := 0.0
	for _, s := range size {
		tot += s
	}
	for l := 0; l < nl; l++ {
		m := 0.0
		for k := range dev {
			m += size[k] * dev[k][l]
		}
		m /= tot
		ss := 0.0
		for k := range dev {
			ss += size[k] * (dev[k][l] - m) * (dev[k][l] - m)
		}
		cv.CVM[l] = m
		cv.CVSD[l] = math.Sqrt(ss / tot / float64(nf-1))
	}
	for l := 1; l < nl; l++ {
		if cv.CVM[l] < cv.CVM[cv.MinStep] {
			cv.MinStep = l
		}
	}
	return cv, nil
}

// RandomFolds assigns n rows to k folds of (nearly) equal size in a random
// order drawn from seed, the way sample(rep(1:k, length = n)) does (but not
// with R's generator: use a folds file to match R exactly).
func RandomFolds(n, k int, seed uint64) []int {
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i%k + 1
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	rng.Shuffle(n, func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	return ids
}

func (m Matrix) subset(idx []int) Matrix {
	out := Matrix{N: len(idx), Cols: make([][]float64, len(m.Cols))}
	for j, c := range m.Cols {
		out.Cols[j] = pick(c, idx)
	}
	return out
}

func pick(v []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for i, k := range idx {
		out[i] = v[k]
	}
	return out
}
