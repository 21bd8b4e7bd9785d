package recommend

// The Porter stemmer as SQLite's FTS5 "porter" tokenizer applies it, so
// that a query word read straight from the FTS5 index (search_fts.go)
// becomes the same index term FTS5 itself would look up. Written in Go
// from the rules of the algorithm; FTS5's variant has small quirks that
// are kept here on purpose (noted below), since the goal is to agree with
// the index byte for byte, not to be the textbook stemmer.
// TestPorterAgreesWithFTS5 checks the agreement through FTS5 itself.

// porterStem returns the index term of one folded word (lower-case ASCII
// letters and digits). Words shorter than 3 or longer than 64 bytes are
// left as they are, as FTS5 does.
func porterStem(w string) string {
	if len(w) < 3 || len(w) > 64 {
		return w
	}
	b := []byte(w)
	b = porterStep1(b)
	b = porterRules(b, porterStep2Rules)
	b = porterRules(b, porterStep3Rules)
	b = porterRules(b, porterStep4Rules)
	// Step 5a: a final e goes when m > 1, or when m = 1 and the stem does
	// not end consonant-vowel-consonant.
	if n := len(b); b[n-1] == 'e' {
		if mGt1(b[:n-1]) || (mEq1(b[:n-1]) && !cvc(b[:n-1])) {
			b = b[:n-1]
		}
	}
	// Step 5b: ll becomes l when m > 1.
	if n := len(b); n > 1 && b[n-1] == 'l' && b[n-2] == 'l' && mGt1(b[:n-1]) {
		b = b[:n-1]
	}
	return string(b)
}

// isVowel: a, e, i, o, u, and y when yVowel (FTS5 passes "the previous
// letter was a consonant" or, in hasVowel, "not the first letter").
func isVowel(c byte, yVowel bool) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	case 'y':
		return yVowel
	}
	return false
}

// vcEnd scans s for a vowel and then a consonant, returning the index
// just past that consonant, or 0 when there is no such pair. prevCons is
// whether the letter before s was a consonant.
func vcEnd(s []byte, prevCons bool) int {
	cons := prevCons
	i := 0
	for ; i < len(s); i++ {
		cons = !isVowel(s[i], cons)
		if !cons {
			break
		}
	}
	for i++; i < len(s); i++ {
		cons = !isVowel(s[i], cons)
		if cons {
			return i + 1
		}
	}
	return 0
}

// mGt0, mGt1, mEq1: the measure (number of vowel-consonant sequences) of a
// stem is above 0, above 1, exactly 1.
func mGt0(s []byte) bool { return vcEnd(s, false) > 0 }

func mGt1(s []byte) bool {
	n := vcEnd(s, false)
	return n > 0 && vcEnd(s[n:], true) > 0
}

func mEq1(s []byte) bool {
	n := vcEnd(s, false)
	return n > 0 && vcEnd(s[n:], true) == 0
}

// cvc: the stem ends consonant-vowel-consonant, the last not w, x or y.
func cvc(s []byte) bool {
	n := len(s)
	if n == 0 {
		return false
	}
	if c := s[n-1]; c == 'w' || c == 'x' || c == 'y' {
		return false
	}
	mask := 0
	cons := false
	for i := 0; i < n; i++ {
		cons = !isVowel(s[i], cons)
		mask <<= 1
		if cons {
			mask |= 1
		}
	}
	return mask&7 == 5
}

// hasVowel: the stem contains a vowel, y counting as one anywhere but at
// the start (FTS5's reading of the rule).
func hasVowel(s []byte) bool {
	for i := range s {
		if isVowel(s[i], i > 0) {
			return true
		}
	}
	return false
}

func hasSuffix(b []byte, suf string) bool {
	// FTS5 requires the word to be longer than the suffix.
	return len(b) > len(suf) && string(b[len(b)-len(suf):]) == suf
}

type porterRule struct {
	suffix, repl string
	cond         func([]byte) bool
}

// porterRules applies the first rule whose suffix the word ends with (the
// suffix being shorter than the word): when its condition holds for the
// stem, the suffix is replaced. Either way no further rule of the step is
// tried.
func porterRules(b []byte, rules []porterRule) []byte {
	for _, r := range rules {
		if !hasSuffix(b, r.suffix) {
			continue
		}
		stem := b[:len(b)-len(r.suffix)]
		if r.cond(stem) {
			return append(stem[:len(stem):len(stem)], r.repl...)
		}
		return b
	}
	return b
}

func mGt1ST(s []byte) bool {
	n := len(s)
	return n > 0 && (s[n-1] == 's' || s[n-1] == 't') && mGt1(s)
}

var porterStep2Rules = []porterRule{
	{"ational", "ate", mGt0}, {"tional", "tion", mGt0},
	{"enci", "ence", mGt0}, {"anci", "ance", mGt0},
	{"izer", "ize", mGt0},
	{"logi", "log", mGt0},
	{"bli", "ble", mGt0}, {"alli", "al", mGt0}, {"entli", "ent", mGt0}, {"eli", "e", mGt0}, {"ousli", "ous", mGt0},
	{"ization", "ize", mGt0}, {"ation", "ate", mGt0}, {"ator", "ate", mGt0},
	{"alism", "al", mGt0}, {"iveness", "ive", mGt0}, {"fulness", "ful", mGt0}, {"ousness", "ous", mGt0},
	{"aliti", "al", mGt0}, {"iviti", "ive", mGt0}, {"biliti", "ble", mGt0},
}

var porterStep3Rules = []porterRule{
	{"ical", "ic", mGt0}, {"ness", "", mGt0}, {"icate", "ic", mGt0}, {"iciti", "ic", mGt0},
	{"ful", "", mGt0}, {"ative", "", mGt0}, {"alize", "al", mGt0},
}

var porterStep4Rules = []porterRule{
	{"al", "", mGt1}, {"ance", "", mGt1}, {"ence", "", mGt1}, {"er", "", mGt1}, {"ic", "", mGt1},
	{"able", "", mGt1}, {"ible", "", mGt1},
	{"ant", "", mGt1}, {"ement", "", mGt1}, {"ment", "", mGt1}, {"ent", "", mGt1},
	{"ion", "", mGt1ST}, {"ou", "", mGt1},
	{"ism", "", mGt1}, {"ate", "", mGt1}, {"iti", "", mGt1}, {"ous", "", mGt1}, {"ive", "", mGt1}, {"ize", "", mGt1},
}

// porterStep1 is steps 1a, 1b and 1c.
func porterStep1(b []byte) []byte {
	n := len(b)
	// 1a: sses -> ss, ies -> i, ss stays, s goes.
	if b[n-1] == 's' {
		switch {
		case b[n-2] == 'e' && ((n > 4 && b[n-4] == 's' && b[n-3] == 's') || (n > 3 && b[n-3] == 'i')):
			b = b[:n-2]
		case b[n-2] == 'e':
			b = b[:n-1]
		case b[n-2] != 's':
			b = b[:n-1]
		}
	}
	// 1b: eed -> ee (m > 0); ed, ing go when the stem has a vowel, and
	// then the stem is tidied.
	removed := false
	switch {
	case hasSuffix(b, "eed"):
		if mGt0(b[:len(b)-3]) {
			b = b[:len(b)-1]
		}
	case hasSuffix(b, "ed"):
		if hasVowel(b[:len(b)-2]) {
			b, removed = b[:len(b)-2], true
		}
	case hasSuffix(b, "ing"):
		if hasVowel(b[:len(b)-3]) {
			b, removed = b[:len(b)-3], true
		}
	}
	if removed {
		switch {
		case hasSuffix(b, "at"), hasSuffix(b, "bl"), hasSuffix(b, "iz"):
			b = append(b[:len(b):len(b)], 'e')
		default:
			n := len(b)
			c := b[n-1]
			if n > 1 && !isVowel(c, false) && c != 'l' && c != 's' && c != 'z' && c == b[n-2] {
				b = b[:n-1]
			} else if mEq1(b) && cvc(b) {
				b = append(b[:n:n], 'e')
			}
		}
	}
	// 1c: y -> i when the stem has a vowel.
	if n := len(b); b[n-1] == 'y' && hasVowel(b[:n-1]) {
		b = append(b[:n-1:n-1], 'i')
	}
	return b
}
