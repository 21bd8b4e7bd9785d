package forecast

import (
	"math"
	"math/rand/v2"
	"sort"
)

// This file is a small gradient-boosted tree model for the binary outcome
// (logistic loss, second-order leaf values as in Chen and Guestrin's
// XGBoost, splits searched on quantile bins of each predictor). It is the
// non-linear half of the ensemble judged against the Early Warning Project's
// elastic net: trees can pick up thresholds and interactions (a coup attempt
// in a country that already has an ongoing mass killing, say) that a linear
// logit cannot.

// GBMOptions are the boosting settings. They were fixed before the back-test
// was run, at common textbook values, not tuned on it.
type GBMOptions struct {
	Trees        int     // boosting rounds
	Depth        int     // depth of each tree
	LearningRate float64 // shrinkage of each tree's contribution
	Subsample    float64 // share of rows drawn (without replacement) for each tree
	L2           float64 // ridge penalty on leaf values
	MinHessian   float64 // smallest sum of p(1-p) allowed in a leaf
	Bins         int     // quantile bins per predictor
	Seed         uint64
}

// DefaultGBM are the settings the "gbm" and "ensemble" models use.
var DefaultGBM = GBMOptions{Trees: 300, Depth: 3, LearningRate: 0.05, Subsample: 0.5, L2: 1, MinHessian: 1, Bins: 32, Seed: 1}

type gbmNode struct {
	feature int     // -1 for a leaf
	cut     float64 // go left when x[feature] <= cut
	cutBin  int     // the same split on the training bins
	left    int
	right   int
	value   float64
}

// GBM is a fitted boosted model.
type GBM struct {
	base  float64
	trees [][]gbmNode
}

// Risk returns the predicted probability for one row.
func (g *GBM) Risk(x []float64) float64 {
	f := g.base
	for _, t := range g.trees {
		n := 0
		for t[n].feature >= 0 {
			if x[t[n].feature] <= t[n].cut {
				n = t[n].left
			} else {
				n = t[n].right
			}
		}
		f += t[n].value
	}
	return 1 / (1 + math.Exp(-f))
}

// FitGBM boosts trees on the columns of x against y (0/1).
func FitGBM(x Matrix, y []float64, o GBMOptions) (*GBM, error) {
	n, p := x.N, len(x.Cols)
	mean := 0.0
	for _, v := range y {
		mean += v / float64(n)
	}
	if mean <= pMin || mean >= 1-pMin {
		return nil, ErrConstantOutcome
	}
	cuts, bin := quantileBins(x, o.Bins)
	g := &GBM{base: math.Log(mean / (1 - mean))}
	f := make([]float64, n)
	for i := range f {
		f[i] = g.base
	}
	grad := make([]float64, n)
	hess := make([]float64, n)
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	m := int(o.Subsample * float64(n))
	for t := 0; t < o.Trees; t++ {
		for i := range f {
			pr := 1 / (1 + math.Exp(-f[i]))
			grad[i] = pr - y[i]
			hess[i] = pr * (1 - pr)
		}
		rng.Shuffle(n, func(a, b int) { all[a], all[b] = all[b], all[a] })
		rows := append([]int(nil), all[:m]...)
		var tree []gbmNode
		var grow func(rows []int, depth int) int
		grow = func(rows []int, depth int) int {
			G, H := 0.0, 0.0
			for _, i := range rows {
				G += grad[i]
				H += hess[i]
			}
			id := len(tree)
			tree = append(tree, gbmNode{feature: -1, value: -G / (H + o.L2) * o.LearningRate})
			if depth == o.Depth || H < 2*o.MinHessian {
				return id
			}
			parent := G * G / (H + o.L2)
			best, bf, bb := 0.0, -1, 0
			var hg, hh [256]float64
			for j := 0; j < p; j++ {
				nb := len(cuts[j]) + 1
				if nb < 2 {
					continue
				}
				for b := 0; b < nb; b++ {
					hg[b], hh[b] = 0, 0
				}
				bj := bin[j]
				for _, i := range rows {
					hg[bj[i]] += grad[i]
					hh[bj[i]] += hess[i]
				}
				gl, hl := 0.0, 0.0
				for b := 0; b < nb-1; b++ {
					gl += hg[b]
					hl += hh[b]
					hr := H - hl
					if hl < o.MinHessian || hr < o.MinHessian {
						continue
					}
					gr := G - gl
					gain := gl*gl/(hl+o.L2) + gr*gr/(hr+o.L2) - parent
					if gain > best {
						best, bf, bb = gain, j, b
					}
				}
			}
			if bf < 0 {
				return id
			}
			var l, r []int
			for _, i := range rows {
				if int(bin[bf][i]) <= bb {
					l = append(l, i)
				} else {
					r = append(r, i)
				}
			}
			tree[id].feature, tree[id].cut, tree[id].cutBin = bf, cuts[bf][bb], bb
			li := grow(l, depth+1)
			ri := grow(r, depth+1)
			tree[id].left, tree[id].right = li, ri
			return id
		}
		grow(rows, 0)
		g.trees = append(g.trees, tree)
		// Update every training row's score with the new tree.
		for i := 0; i < n; i++ {
			k := 0
			for tree[k].feature >= 0 {
				if int(bin[tree[k].feature][i]) <= tree[k].cutBin {
					k = tree[k].left
				} else {
					k = tree[k].right
				}
			}
			f[i] += tree[k].value
		}
	}
	return g, nil
}

// quantileBins finds up to nb-1 cut points per predictor at its quantiles
// and each row's bin: bin b holds the values v with cuts[b-1] < v <= cuts[b].
func quantileBins(x Matrix, nb int) ([][]float64, [][]uint8) {
	n, p := x.N, len(x.Cols)
	cuts := make([][]float64, p)
	bin := make([][]uint8, p)
	for j, c := range x.Cols {
		s := append([]float64(nil), c...)
		sort.Float64s(s)
		var cs []float64
		for b := 1; b < nb; b++ {
			v := s[b*n/nb]
			if v == s[n-1] {
				break
			}
			if len(cs) == 0 || v > cs[len(cs)-1] {
				cs = append(cs, v)
			}
		}
		if len(cs) == 0 && s[0] < s[n-1] {
			cs = []float64{s[0]} // a two-valued column: split at its smaller value
		}
		cuts[j] = cs
		bin[j] = make([]uint8, n)
		for i, v := range c {
			bin[j][i] = uint8(sort.SearchFloat64s(cs, v))
		}
	}
	return cuts, bin
}
