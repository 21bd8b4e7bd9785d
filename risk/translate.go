package risk

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"

	"vigil/db"
)

// The framework's own language is English: risk-factor titles and indicator
// wordings are written and checked in English. Each can carry translations,
// entered by an administrator or imported with the framework file. A
// translation is unchecked until someone checks it; who and when is kept, as
// for the English wording. Assessments copy the translations with the
// wording when they are opened (see Create), so a later change of the
// framework leaves them as they were.

// TranslationLangs are the languages the framework wording is translated
// into on the framework page (the report languages other than English).
var TranslationLangs = []string{"fr", "es", "ar"}

// Translation is the wording of a factor title or an indicator in one language.
type Translation struct {
	Text      string `json:"text"`
	CheckedBy string `json:"checked_by,omitempty"`
	CheckedAt string `json:"checked_at,omitempty"`
}

// Checked reports whether someone has checked the translation.
func (t Translation) Checked() bool { return t.CheckedAt != "" }

// Translations holds the translations of one wording by language code.
type Translations map[string]Translation

var langRe = regexp.MustCompile(`^[a-z]{2,3}$`)

func parseTranslations(s string) Translations {
	if s == "" {
		return nil
	}
	var t Translations
	if json.Unmarshal([]byte(s), &t) != nil {
		return nil
	}
	for l, v := range t {
		if !langRe.MatchString(l) || strings.TrimSpace(v.Text) == "" {
			delete(t, l)
		}
	}
	return t
}

// encode writes t for the store: "" when empty; keys in order (encoding/json
// sorts map keys), so equal translations encode equally.
func (t Translations) encode() string {
	if len(t) == 0 {
		return ""
	}
	b, _ := json.Marshal(t)
	return string(b)
}

// Localized is a wording as one reader sees it. Lang is empty when Text is
// in the language asked for, and "en" when the English wording stands in
// for a missing translation (pages and reports mark it lang="en").
type Localized struct {
	Text      string
	Lang      string
	Unchecked bool // a translation no one has checked yet
}

// Localize picks the wording of english in lang from tr.
func Localize(lang, english string, tr Translations) Localized {
	if lang == "" || lang == "en" {
		return Localized{Text: english}
	}
	if t, ok := tr[lang]; ok && t.Text != "" {
		return Localized{Text: t.Text, Unchecked: !t.Checked()}
	}
	return Localized{Text: english, Lang: "en"}
}

// Localize returns a copy of a with factor titles and indicator wordings in
// lang where the assessment holds a translation, the English wording
// (marked with FactorLang or WordingLang "en") where it does not. Roll-ups,
// comparisons and charts made from the copy carry the same wording.
func (a Assessment) Localize(lang string) Assessment {
	if lang == "" || lang == "en" {
		return a
	}
	out := a
	out.Ratings = make([]Rating, len(a.Ratings))
	for i, r := range a.Ratings {
		w := Localize(lang, r.Wording, r.WordingTr)
		f := Localize(lang, r.FactorTitle, r.FactorTr)
		r.Wording, r.WordingLang, r.WordingUnchecked = w.Text, w.Lang, w.Unchecked
		r.FactorTitle, r.FactorLang, r.FactorUnchecked = f.Text, f.Lang, f.Unchecked
		out.Ratings[i] = r
	}
	return out
}

// TranslationEdit is an administrator's translation of one factor title
// (Kind "factor", ID the factor's id) or one indicator wording (Kind
// "indicator") into Lang. An empty Text removes the translation.
type TranslationEdit struct {
	Kind    string
	ID      string
	Lang    string
	Text    string
	Checked bool
}

// SetTranslation stores one translation in framework fw, by user by. Marking
// it checked records who and when; changing the text of a checked
// translation without marking it checked again makes it unchecked. It
// returns a short description of the change for the audit trail ("" when
// nothing changed); the description never carries the text.
func SetTranslation(ctx context.Context, q db.Q, inst, fw, by string, e TranslationEdit) (string, error) {
	e.Text = strings.TrimSpace(e.Text)
	if !slices.Contains(TranslationLangs, e.Lang) {
		return "", inputf("language %q: translations are kept for %s", e.Lang, strings.Join(TranslationLangs, ", "))
	}
	if len(e.Text) > 1000 {
		return "", inputf("the translation is longer than 1000 characters")
	}
	var table, label string
	switch e.Kind {
	case "indicator":
		table = "risk_indicators"
	case "factor":
		table = "risk_factors"
	default:
		return "", inputf("translate a factor or an indicator")
	}
	var raw string
	err := q.QueryRow(ctx, "SELECT CAST(number AS TEXT), translations FROM "+table+" WHERE institution_id = ? AND framework_id = ? AND id = ?", inst, fw, e.ID).Scan(&label, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	} else if err != nil {
		return "", err
	}
	tr := parseTranslations(raw)
	if tr == nil {
		tr = Translations{}
	}
	old, had := tr[e.Lang]
	what := ""
	switch {
	case e.Text == "" && !had:
		return "", nil
	case e.Text == "":
		delete(tr, e.Lang)
		what = "removed"
	default:
		nt := Translation{Text: e.Text}
		if e.Checked {
			if had && old.Checked() && old.Text == e.Text {
				nt.CheckedBy, nt.CheckedAt = old.CheckedBy, old.CheckedAt
			} else {
				nt.CheckedBy, nt.CheckedAt = by, db.Now()
			}
		}
		if had && old == nt {
			return "", nil
		}
		var parts []string
		if !had {
			parts = append(parts, "added")
		} else if old.Text != nt.Text {
			parts = append(parts, "text changed")
		}
		if old.Checked() != nt.Checked() || (!had && nt.Checked()) {
			if nt.Checked() {
				parts = append(parts, "checked")
			} else {
				parts = append(parts, "unchecked")
			}
		}
		tr[e.Lang] = nt
		what = strings.Join(parts, ", ")
	}
	if _, err := q.Exec(ctx, "UPDATE "+table+" SET translations = ? WHERE institution_id = ? AND id = ?", tr.encode(), inst, e.ID); err != nil {
		return "", err
	}
	if _, err := q.Exec(ctx, "UPDATE risk_frameworks SET updated_at = ? WHERE institution_id = ? AND id = ?", db.Now(), inst, fw); err != nil {
		return "", err
	}
	return e.Kind + " " + label + " " + e.Lang + " translation " + what, nil
}

// mergeTranslations applies the translations a framework file carries to
// the stored ones: a language the file gives replaces the stored text (and
// its checked mark, when the file's mark differs); languages the file does
// not give are kept, so an older file without translation columns changes
// nothing. by names who checked, for translations the file marks checked.
func mergeTranslations(stored Translations, file map[string]FileTranslation, by, now string) (Translations, bool) {
	if len(file) == 0 {
		return stored, false
	}
	out := Translations{}
	for l, t := range stored {
		out[l] = t
	}
	changed := false
	for l, ft := range file {
		ft.Text = strings.TrimSpace(ft.Text)
		if ft.Text == "" || !langRe.MatchString(l) {
			continue
		}
		old, had := out[l]
		if had && old.Text == ft.Text && old.Checked() == ft.Checked {
			continue
		}
		nt := Translation{Text: ft.Text}
		if ft.Checked {
			if had && old.Checked() && old.Text == ft.Text {
				nt.CheckedBy, nt.CheckedAt = old.CheckedBy, old.CheckedAt
			} else {
				nt.CheckedBy, nt.CheckedAt = by, now
			}
		}
		out[l] = nt
		changed = true
	}
	return out, changed
}

// FileTranslation is a translation as a framework file carries it.
type FileTranslation struct {
	Text    string
	Checked bool
}
