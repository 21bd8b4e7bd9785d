package recommend

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// The query language, the same on both stores:
//
//	women rights          both words (AND is implied), stemmed: also "woman", "right"
//	"death penalty"       the words next to each other, in that order
//	torture OR ill        either
//	torture NOT death     the first without the second (also: -death)
//	disappear*            any word starting with "disappear"
//	(a OR b) c            grouping
//
// Words are folded (case, diacritics) before matching. The parser turns a
// query into a small tree that each store renders in its own syntax, so
// nothing the user types reaches SQL as syntax.

type nodeKind int

const (
	nTerm nodeKind = iota
	nPhrase
	nAnd
	nOr
	nNot // binary: left AND NOT right
)

type node struct {
	kind   nodeKind
	words  []string // nTerm: one word; nPhrase: several
	prefix bool
	kids   []*node
}

// ErrEmptyQuery is returned for a query with no words.
var ErrEmptyQuery = errors.New("the query has no words to search for")

type token struct {
	kind   string // "word", "phrase", "and", "or", "not", "(", ")"
	text   string
	prefix bool
}

func lex(q string) ([]token, error) {
	var out []token
	rs := []rune(q)
	for i := 0; i < len(rs); {
		c := rs[i]
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '(' || c == ')':
			out = append(out, token{kind: string(c)})
			i++
		case c == '"' || c == '\u201c' || c == '\u201d':
			j := i + 1
			for j < len(rs) && rs[j] != '"' && rs[j] != '\u201d' && rs[j] != '\u201c' {
				j++
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("a quotation mark is not closed")
			}
			out = append(out, token{kind: "phrase", text: string(rs[i+1 : j])})
			i = j + 1
		case c == '-' && (i+1 < len(rs) && !unicode.IsSpace(rs[i+1])) && (i == 0 || unicode.IsSpace(rs[i-1]) || rs[i-1] == '('):
			out = append(out, token{kind: "not"})
			i++
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != '(' && rs[j] != ')' && rs[j] != '"' {
				j++
			}
			w := string(rs[i:j])
			i = j
			switch w {
			case "AND", "&&":
				out = append(out, token{kind: "and"})
				continue
			case "OR", "||", "|":
				out = append(out, token{kind: "or"})
				continue
			case "NOT":
				out = append(out, token{kind: "not"})
				continue
			}
			prefix := strings.HasSuffix(w, "*")
			for _, part := range words(w) {
				out = append(out, token{kind: "word", text: part})
			}
			if prefix && len(out) > 0 && out[len(out)-1].kind == "word" {
				out[len(out)-1].prefix = true
			}
		}
	}
	return out, nil
}

// words splits text into folded index words: letters and digits; any other
// character separates (so "State's" gives "state", "s" as the index does).
func words(s string) []string {
	return strings.FieldsFunc(Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

type parser struct {
	toks []token
	pos  int
}

// Parse reads a query into its tree.
func parse(q string) (*node, error) {
	toks, err := lex(q)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.pos].kind)
	}
	if n == nil {
		return nil, ErrEmptyQuery
	}
	return n, nil
}

func (p *parser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos].kind
	}
	return ""
}

func (p *parser) or() (*node, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.peek() == "or" {
		p.pos++
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		switch {
		case left == nil:
			left = right
		case right != nil:
			left = &node{kind: nOr, kids: []*node{left, right}}
		}
	}
	return left, nil
}

func (p *parser) and() (*node, error) {
	var pos []*node
	var neg []*node
	for {
		k := p.peek()
		if k == "" || k == ")" || k == "or" {
			break
		}
		if k == "and" {
			p.pos++
			continue
		}
		negate := false
		if k == "not" {
			negate = true
			p.pos++
		}
		n, err := p.unary()
		if err != nil {
			return nil, err
		}
		if n == nil {
			continue
		}
		if negate {
			neg = append(neg, n)
		} else {
			pos = append(pos, n)
		}
	}
	if len(pos) == 0 && len(neg) > 0 {
		return nil, errors.New("NOT needs something to exclude from: write e.g. torture NOT death")
	}
	var n *node
	switch len(pos) {
	case 0:
		return nil, nil
	case 1:
		n = pos[0]
	default:
		n = &node{kind: nAnd, kids: pos}
	}
	for _, x := range neg {
		n = &node{kind: nNot, kids: []*node{n, x}}
	}
	return n, nil
}

func (p *parser) unary() (*node, error) {
	if p.pos >= len(p.toks) {
		return nil, errors.New("the query ends too early")
	}
	t := p.toks[p.pos]
	p.pos++
	switch t.kind {
	case "(":
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, errors.New("a parenthesis is not closed")
		}
		p.pos++
		return n, nil
	case "word":
		return expand(&node{kind: nTerm, words: []string{t.text}, prefix: t.prefix}), nil
	case "phrase":
		ws := words(t.text)
		if len(ws) == 0 {
			return nil, nil
		}
		if len(ws) == 1 {
			return expand(&node{kind: nTerm, words: ws}), nil
		}
		return &node{kind: nPhrase, words: ws}, nil
	}
	return nil, fmt.Errorf("unexpected %q", t.kind)
}

// irregular plurals that no suffix stemmer joins: a search for one form
// finds the other too.
var irregular = map[string]string{
	"woman": "women", "women": "woman", "man": "men", "men": "man", "child": "children", "children": "child",
	"person": "people", "people": "person", "girl": "girls", "boy": "boys",
}

func expand(n *node) *node {
	if n.kind != nTerm || n.prefix {
		return n
	}
	if o, ok := irregular[n.words[0]]; ok {
		return &node{kind: nOr, kids: []*node{n, {kind: nTerm, words: []string{o}}}}
	}
	return n
}

// fts5 renders the tree as an FTS5 MATCH expression. Every word is quoted,
// so FTS5 never reads user text as its own syntax.
func (n *node) fts5() string {
	switch n.kind {
	case nTerm:
		s := `"` + n.words[0] + `"`
		if n.prefix {
			s += "*"
		}
		return s
	case nPhrase:
		return `"` + strings.Join(n.words, " ") + `"`
	case nAnd:
		parts := make([]string, len(n.kids))
		for i, k := range n.kids {
			parts[i] = k.fts5()
		}
		return "(" + strings.Join(parts, " AND ") + ")"
	case nOr:
		return "(" + n.kids[0].fts5() + " OR " + n.kids[1].fts5() + ")"
	case nNot:
		return "(" + n.kids[0].fts5() + " NOT " + n.kids[1].fts5() + ")"
	}
	return ""
}

// tsquery renders the tree for PostgreSQL's to_tsquery('english', ...).
// Words keep only letters and digits, so no tsquery operator can slip in.
func (n *node) tsquery() string {
	switch n.kind {
	case nTerm:
		s := n.words[0]
		if n.prefix {
			s += ":*"
		}
		return s
	case nPhrase:
		return "(" + strings.Join(n.words, " <-> ") + ")"
	case nAnd:
		parts := make([]string, len(n.kids))
		for i, k := range n.kids {
			parts[i] = k.tsquery()
		}
		return "(" + strings.Join(parts, " & ") + ")"
	case nOr:
		return "(" + n.kids[0].tsquery() + " | " + n.kids[1].tsquery() + ")"
	case nNot:
		return "(" + n.kids[0].tsquery() + " & !" + n.kids[1].tsquery() + ")"
	}
	return ""
}
