package forecast

import (
	"math"
	"math/rand/v2"
)

// This file is a random forest of classification trees (Breiman 2001):
// each tree grows on a bootstrap sample, each split looks at a random subset
// of the predictors and is chosen by the Gini impurity on quantile bins, and
// the forest's probability is the mean of the trees' leaf frequencies. The
// Early Warning Project's 2014-2016 ensemble had a random forest as one of
// its three members.

// RFOptions are the forest settings, fixed before the back-test was run.
type RFOptions struct {
	Trees   int
	MTry    int // predictors tried at each split (0: square root of their number)
	MinLeaf int // a node with fewer rows is not split
	Bins    int
	Seed    uint64
}

// DefaultRF are the settings of the "rf" model.
var DefaultRF = RFOptions{Trees: 300, MinLeaf: 10, Bins: 32, Seed: 1}

type rfNode struct {
	feature int // -1 for a leaf
	cut     float64
	cutBin  int
	left    int
	right   int
	p       float64
}

// Forest is a fitted random forest.
type Forest struct{ trees [][]rfNode }

// Risk returns the mean leaf frequency of onsets over the trees.
func (f *Forest) Risk(x []float64) float64 {
	s := 0.0
	for _, t := range f.trees {
		k := 0
		for t[k].feature >= 0 {
			if x[t[k].feature] <= t[k].cut {
				k = t[k].left
			} else {
				k = t[k].right
			}
		}
		s += t[k].p
	}
	return s / float64(len(f.trees))
}

// FitRF grows a forest on the columns of x against y (0/1).
func FitRF(x Matrix, y []float64, o RFOptions) (*Forest, error) {
	n, p := x.N, len(x.Cols)
	pos := 0.0
	for _, v := range y {
		pos += v
	}
	if pos == 0 || pos == float64(n) {
		return nil, ErrConstantOutcome
	}
	mtry := o.MTry
	if mtry == 0 {
		mtry = int(math.Sqrt(float64(p)))
	}
	cuts, bin := quantileBins(x, o.Bins)
	rng := rand.New(rand.NewPCG(o.Seed, 0xf0e57))
	forest := &Forest{}
	feats := make([]int, p)
	for j := range feats {
		feats[j] = j
	}
	for t := 0; t < o.Trees; t++ {
		rows := make([]int, n)
		for i := range rows {
			rows[i] = rng.IntN(n)
		}
		var tree []rfNode
		var grow func(rows []int) int
		grow = func(rows []int) int {
			np := 0.0
			for _, i := range rows {
				np += y[i]
			}
			nt := float64(len(rows))
			id := len(tree)
			tree = append(tree, rfNode{feature: -1, p: np / nt})
			if len(rows) < o.MinLeaf || np == 0 || np == nt {
				return id
			}
			// Gini impurity times size: nt*2*p*(1-p) = 2*np*(nt-np)/nt.
			parent := np * (nt - np) / nt
			best, bf, bb := 0.0, -1, 0
			rng.Shuffle(p, func(a, b int) { feats[a], feats[b] = feats[b], feats[a] })
			var cnt, cpos [256]float64
			for _, j := range feats[:mtry] {
				nb := len(cuts[j]) + 1
				if nb < 2 {
					continue
				}
				for b := 0; b < nb; b++ {
					cnt[b], cpos[b] = 0, 0
				}
				bj := bin[j]
				for _, i := range rows {
					cnt[bj[i]]++
					cpos[bj[i]] += y[i]
				}
				nl, pl := 0.0, 0.0
				for b := 0; b < nb-1; b++ {
					nl += cnt[b]
					pl += cpos[b]
					nr, pr := nt-nl, np-pl
					if nl == 0 || nr == 0 {
						continue
					}
					gain := parent - pl*(nl-pl)/nl - pr*(nr-pr)/nr
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
			li := grow(l)
			ri := grow(r)
			tree[id].left, tree[id].right = li, ri
			return id
		}
		grow(rows)
		forest.trees = append(forest.trees, tree)
	}
	return forest, nil
}
