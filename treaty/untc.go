package treaty

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"vigil/access"
	"vigil/audit"
	"vigil/country"
	"vigil/db"
	"vigil/importer"
)

func init() {
	importer.Register(importer.Kind{Name: "untc",
		Summary: "UN Treaty Collection status: a DIR laid out like shared/data/treaties (instruments.csv, untc_*/ status CSVs, declarations)",
		Run: func(ctx context.Context, d *db.DB, files []string, p *importer.Progress) (importer.Result, error) {
			env := importer.EnvFrom(ctx)
			actor := env.Actor
			if actor == "" {
				actor = "vigil import untc"
			}
			return Import(ctx, d, files, ImportOptions{Log: env.Audit, Actor: actor}, p)
		}})
}

// ImportOptions say whom the import's audit entries name.
type ImportOptions struct {
	Log   *audit.Log
	Actor string
	// Institution, when set, is the chain the import is recorded in;
	// otherwise the instance's own chain (access.SystemChain), since the
	// reference data is shared by every institution.
	Institution string
}

// The CCW protocols whose two-column UNTC tables put the date of consent to
// be bound where the signature date goes (data README, "parser caveat").
var consentInSignatureColumn = map[string]bool{"ccw_p4": true, "ccw_p2a": true, "ccw_p5": true}

// nonStates explains the participants the importer cannot key by ISO code.
var nonStates = map[string]string{
	"europeanunion":            "not a State but a regional organisation; the monitor follows States, so this row is not recorded",
	"czechoslovakia":           "a State that no longer exists (successors: Czechia, Slovakia, listed under their own names); not recorded",
	"germandemocraticrepublic": "a State that no longer exists (its participation ended with German unification in 1990); not recorded",
	"yugoslaviaformer":         "a State that no longer exists (successors listed under their own names); not recorded",
}

// formerNames are spellings the older UNTC tables use that the country
// alias list (shared/data/iso3166/country_aliases.csv) lacks.
var formerNames = map[string]string{
	"theformeryugoslavrepublicofmacedonia": "MKD",
}

type importRun struct {
	ctx      context.Context
	tx       *db.Tx
	res      *importer.Result
	p        *importer.Progress
	resolver *country.Resolver
	byID     map[string]Instrument
	byUNTC   map[string]string
}

// Import reads DIRs (or files) in the layout of shared/data/treaties: the
// instrument catalogue (instruments.csv), UNTC status tables of 2026
// (*_ratifications.csv with *_access_log.json) and of 2013-2015
// (treaty_<chapter>-<no>.csv), and the declaration texts
// (untc_declarations_reservations.csv, declarations_<chapter>-<no>.txt).
// States are keyed by ISO alpha-3 through package country; the country list
// must be imported first. Everything runs in one transaction and matches
// rows by stable keys, so a second run reports everything unchanged.
func Import(ctx context.Context, d *db.DB, paths []string, opt ImportOptions, p *importer.Progress) (importer.Result, error) {
	res := importer.Result{Errors: []importer.RowError{}}
	files, err := collect(paths)
	if err != nil {
		return res, err
	}
	if len(files.instruments)+len(files.status)+len(files.old)+len(files.decl)+len(files.oldDecl) == 0 {
		return res, fmt.Errorf("no UNTC files found in %s (want instruments.csv, *_ratifications.csv, treaty_*.csv, declarations)", strings.Join(paths, ", "))
	}
	err = d.Write(ctx, db.System, func(tx *db.Tx) error {
		res = importer.Result{Errors: []importer.RowError{}} // fn may run twice (db.Write): start from nothing
		p.Restart()
		r := &importRun{ctx: ctx, tx: tx, res: &res, p: p}
		if r.resolver, err = country.LoadResolver(ctx, tx); err != nil {
			return err
		}
		if r.resolver.Empty() {
			return errors.New("the country list is empty: run 'vigil import countries DIR' (shared/data/iso3166) first")
		}
		if err := r.loadCatalogue(); err != nil {
			return err
		}
		steps := []struct {
			files []string
			fn    func(string) (importer.Result, error)
		}{
			{files.instruments, r.instrumentsFile}, {files.status, r.statusFile}, {files.old, r.oldStatusFile},
			{files.decl, r.declarationsFile}, {files.oldDecl, r.oldDeclarationsFile},
		}
		for _, s := range steps {
			for _, f := range s.files {
				p.SetLabel("import untc " + filepath.Base(f))
				one, err := s.fn(f)
				res.Add(filepath.Base(f), one)
				if err != nil {
					return fmt.Errorf("%s: %w", f, err)
				}
			}
		}
		return r.audit(opt)
	})
	return res, err
}

func (r *importRun) audit(opt ImportOptions) error {
	if opt.Log == nil {
		return nil
	}
	chain := opt.Institution
	if chain == "" {
		chain = access.SystemChain
	}
	detail := fmt.Sprintf("inserted=%d updated=%d unchanged=%d rejected=%d", r.res.Inserted, r.res.Updated, r.res.Unchanged, r.res.Rejected)
	return opt.Log.Append(r.ctx, r.tx, audit.Entry{Institution: chain, ActorName: opt.Actor, Action: "treaty.import",
		ObjectType: "treaty_reference", ObjectID: "untc", Detail: detail})
}

type fileSet struct{ instruments, status, old, decl, oldDecl []string }

func collect(paths []string) (fileSet, error) {
	var fs fileSet
	var walk func(string, int) error
	walk = func(p string, depth int) error {
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		if st.IsDir() {
			if depth > 2 {
				return nil
			}
			ents, err := os.ReadDir(p)
			if err != nil {
				return err
			}
			for _, e := range ents {
				if e.IsDir() && strings.HasPrefix(e.Name(), "html") {
					continue
				}
				if err := walk(filepath.Join(p, e.Name()), depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		base := filepath.Base(p)
		switch {
		case base == "instruments.csv":
			fs.instruments = append(fs.instruments, p)
		case strings.HasSuffix(base, "_ratifications.csv"):
			fs.status = append(fs.status, p)
		case oldTable.MatchString(base):
			fs.old = append(fs.old, p)
		case base == "untc_declarations_reservations.csv":
			fs.decl = append(fs.decl, p)
		case oldDecl.MatchString(base):
			fs.oldDecl = append(fs.oldDecl, p)
		}
		return nil
	}
	for _, p := range paths {
		if err := walk(p, 0); err != nil {
			return fs, err
		}
	}
	for _, l := range []*[]string{&fs.instruments, &fs.status, &fs.old, &fs.decl, &fs.oldDecl} {
		sort.Strings(*l)
	}
	return fs, nil
}

var (
	oldTable = regexp.MustCompile(`^treaty_(\d+)-(\d+)(-[a-z])?\.csv$`)
	oldDecl  = regexp.MustCompile(`^declarations_(\d+)-(\d+)(-[a-z])?\.txt$`)
	dirDate  = regexp.MustCompile(`(\d{4}-\d{2}-\d{2})`)
)

func (r *importRun) loadCatalogue() error {
	all, err := Instruments(r.ctx, r.tx)
	if err != nil {
		return err
	}
	r.byID, r.byUNTC = map[string]Instrument{}, map[string]string{}
	for _, in := range all {
		r.remember(in)
	}
	return nil
}

func (r *importRun) remember(in Instrument) {
	r.byID[in.ID] = in
	if in.UNTCID != "" {
		r.byUNTC[in.UNTCID] = in.ID
	}
}

func (r *importRun) instrumentsFile(path string) (importer.Result, error) {
	res := importer.Result{}
	err := importer.ReadCSV(path, []string{"id", "short_name", "title"}, func(row int, m map[string]string) error {
		r.p.Add(1)
		in := Instrument{ID: m["id"], ShortName: m["short_name"], Title: m["title"], Category: m["category"], UNTCID: m["untc_mtdsg_no"],
			OtherRef: m["other_ref"], Depositary: m["depositary"], Adopted: m["adopted"], EntryIntoForce: m["entry_into_force"],
			MonitoringBody: m["monitoring_body"], OptionalAcceptances: m["optional_acceptances"], Source: "instruments.csv"}
		if err := in.Check(); err != nil {
			res.Reject(row, "id", "%s", err.Error())
			return nil
		}
		out, err := UpsertInstrument(r.ctx, r.tx, in)
		res.Count(out)
		r.remember(in)
		return err
	})
	return res, err
}

// state maps a participant name to an alpha-3 code, or rejects the row.
func (r *importRun) state(res *importer.Result, row int, field, name string) (string, bool) {
	if code, ok := r.resolver.Resolve(name); ok {
		return code, true
	}
	if code, ok := formerNames[country.Normalize(name)]; ok {
		return code, true
	}
	if why, ok := nonStates[country.Normalize(name)]; ok {
		res.Reject(row, field, "%q is %s", name, why)
	} else {
		res.Reject(row, field, "%q has no ISO 3166 alpha-3 code in the country list; add an alias (vigil import countries) and run the import again", name)
	}
	return "", false
}

// instrument finds (or, for a treaty the catalogue lacks, creates) the
// instrument a status row is about.
func (r *importRun) instrument(id, untc, title, source string) (string, error) {
	if _, ok := r.byID[id]; ok && id != "" {
		return id, nil
	}
	if got, ok := r.byUNTC[untc]; ok && untc != "" {
		return got, nil
	}
	if id == "" {
		id = "untc_" + strings.ToLower(strings.NewReplacer("-", "_").Replace(untc))
	}
	cat := "other"
	switch {
	case strings.HasPrefix(untc, "XXVI-"):
		cat = "arms"
	case strings.HasPrefix(untc, "IV-"):
		cat = "core_hr_op"
	}
	if title == "" {
		title = "UNTC " + untc
	}
	in := Instrument{ID: id, ShortName: strings.ToUpper(strings.ReplaceAll(id, "_", " ")), Title: title, Category: cat, UNTCID: untc,
		Depositary: "UN Secretary-General", Source: source}
	if _, err := UpsertInstrument(r.ctx, r.tx, in); err != nil {
		return "", err
	}
	r.remember(in)
	return id, nil
}

type accessLog struct {
	AccessDate string `json:"access_date"`
}

// asOfFor finds the date a 2026-layout status file describes: the access
// log beside it, else a date in the folder's name.
func asOfFor(path string) string {
	prefix := strings.TrimSuffix(filepath.Base(path), "_ratifications.csv")
	if b, err := os.ReadFile(filepath.Join(filepath.Dir(path), prefix+"_access_log.json")); err == nil {
		var l accessLog
		if json.Unmarshal(b, &l) == nil && datePattern.MatchString(l.AccessDate) {
			return l.AccessDate
		}
	}
	return dirDate.FindString(filepath.Base(filepath.Dir(path)))
}

var consentTypes = map[string]string{"ratification": "ratification", "accession": "accession", "succession": "succession",
	"acceptance": "acceptance", "approval": "approval", "acceptance/approval": "acceptance"}

func (r *importRun) statusFile(path string) (importer.Result, error) {
	res := importer.Result{}
	asOf := asOfFor(path)
	if asOf == "" {
		return res, errors.New("cannot tell what date the status describes: no *_access_log.json beside it and no date in the folder name")
	}
	err := importer.ReadCSV(path, []string{"country_name", "treaty_id", "action_type", "action_date", "signature_date", "mtdsg_no"}, func(row int, m map[string]string) error {
		r.p.Add(1)
		code, ok := r.state(&res, row, "country_name", m["country_name"])
		if !ok {
			return nil
		}
		for _, f := range []string{"action_date", "signature_date"} {
			if m[f] != "" && !datePattern.MatchString(m[f]) {
				res.Reject(row, f, "%q is not a YYYY-MM-DD date", m[f])
				return nil
			}
		}
		inst, err := r.instrument(m["treaty_id"], m["mtdsg_no"], m["treaty_name"], "UNTC status table")
		if err != nil {
			return err
		}
		pt := Participation{State: code, Instrument: inst, SignatureDate: m["signature_date"], ConsentDate: m["action_date"],
			Source: m["source_url"], AsOf: asOf}
		if pt.Source == "" {
			pt.Source = "UNTC " + m["mtdsg_no"]
		}
		if pt.ConsentDate != "" {
			t, known := consentTypes[strings.ToLower(m["action_type"])]
			if !known {
				t = "ratification"
			}
			pt.ConsentType = t
		} else if consentInSignatureColumn[m["treaty_id"]] && pt.SignatureDate != "" {
			pt.ConsentDate, pt.SignatureDate, pt.ConsentType = pt.SignatureDate, "", "consent"
		}
		out, err := UpsertParticipation(r.ctx, r.tx, pt)
		res.Count(out)
		return err
	})
	return res, err
}

var roman = []string{"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI",
	"XVII", "XVIII", "XIX", "XX", "XXI", "XXII", "XXIII", "XXIV", "XXV", "XXVI", "XXVII", "XXVIII", "XXIX"}

// untcFromName turns "treaty_18-10-a.csv" into "XVIII-10-a".
func untcFromName(m []string) string {
	var ch int
	fmt.Sscan(m[1], &ch)
	if ch <= 0 || ch >= len(roman) {
		return ""
	}
	return roman[ch] + "-" + m[2] + m[3]
}

var oldSuffix = map[string]string{"": "ratification", "a": "accession", "d": "succession", "A": "acceptance", "AA": "approval"}

// parseOldDate reads "22 Mar 1956 a" into "1956-03-22" and "accession".
func parseOldDate(s string) (date, kind string, err error) {
	f := strings.Fields(s)
	if len(f) < 3 {
		return "", "", fmt.Errorf("%q is not a date like \"22 Mar 1956 a\"", s)
	}
	t, err := time.Parse("2 Jan 2006", strings.Join(f[:3], " "))
	if err != nil {
		return "", "", fmt.Errorf("%q is not a date like \"22 Mar 1956 a\"", s)
	}
	suffix := strings.Join(f[3:], "")
	k, ok := oldSuffix[suffix]
	if !ok {
		return "", "", fmt.Errorf("%q: unknown kind of consent %q (want a, d, A or AA)", s, suffix)
	}
	return t.Format("2006-01-02"), k, nil
}

// oldAsOf is the latest date a 2013-2015 table holds: the files do not say
// when they were taken, and the last event they list is a safe lower bound.
func oldAsOf(path string) string {
	latest := ""
	importer.ReadCSV(path, nil, func(row int, m map[string]string) error {
		for _, v := range m {
			if d, _, err := parseOldDate(v); err == nil && d > latest {
				latest = d
			}
		}
		return nil
	})
	return latest
}

func (r *importRun) oldStatusFile(path string) (importer.Result, error) {
	res := importer.Result{}
	untc := untcFromName(oldTable.FindStringSubmatch(filepath.Base(path)))
	inst, err := r.instrument("", untc, "", "UNTC status table (2013-2015)")
	if err != nil {
		return res, err
	}
	asOf := oldAsOf(path)
	source := "UNTC " + untc + " status table (taken 2013-2015; as of = latest event listed)"
	err = importer.ReadCSV(path, []string{"Participant"}, func(row int, m map[string]string) error {
		r.p.Add(1)
		code, ok := r.state(&res, row, "Participant", m["Participant"])
		if !ok {
			return nil
		}
		pt := Participation{State: code, Instrument: inst, Source: source, AsOf: asOf}
		for k, v := range m {
			switch {
			case k == "Participant" || v == "":
			case k == "Signature":
				d, _, err := parseOldDate(v + " ")
				if err != nil {
					res.Reject(row, k, "%s", err.Error())
					return nil
				}
				pt.SignatureDate = d
			default:
				d, kind, err := parseOldDate(v)
				if err != nil {
					res.Reject(row, k, "%s", err.Error())
					return nil
				}
				pt.ConsentDate, pt.ConsentType = d, kind
			}
		}
		if len(m) == 1 {
			// The ICJ optional-clause list names declarants only: the
			// declaration is the acceptance, its date is not in the file.
			pt.ConsentType = "declaration"
		}
		out, err := UpsertParticipation(r.ctx, r.tx, pt)
		res.Count(out)
		return err
	})
	return res, err
}

var sections = map[string]string{"declarations_reservations": "reservations", "objections": "objections", "declarations_under_article": "optional_articles"}

func (r *importRun) declarationsFile(path string) (importer.Result, error) {
	res := importer.Result{}
	err := importer.ReadCSV(path, []string{"treaty_id", "mtdsg_no", "section", "participant", "text"}, func(row int, m map[string]string) error {
		r.p.Add(1)
		sec, ok := sections[m["section"]]
		if !ok {
			res.Reject(row, "section", "unknown section %q", m["section"])
			return nil
		}
		code, ok := r.state(&res, row, "participant", m["participant"])
		if !ok {
			return nil
		}
		asOf := m["untc_status_as_at"]
		if t, err := time.Parse("02-01-2006", asOf); err == nil {
			asOf = t.Format("2006-01-02")
		}
		inst, err := r.instrument(m["treaty_id"], m["mtdsg_no"], "", "UNTC declarations")
		if err != nil {
			return err
		}
		d := Declaration{State: code, Instrument: inst, Section: sec, Heading: m["section_heading"], Articles: m["articles_mentioned"],
			Body: m["text"], Suggested: Suggest(inst, sec, m["text"]), Source: "UNTC " + m["mtdsg_no"] + " declarations", AsOf: asOf}
		out, err := UpsertDeclaration(r.ctx, r.tx, d)
		res.Count(out)
		return err
	})
	return res, err
}

func (r *importRun) oldDeclarationsFile(path string) (importer.Result, error) {
	res := importer.Result{}
	m := oldDecl.FindStringSubmatch(filepath.Base(path))
	untc := untcFromName(m)
	inst, err := r.instrument("", untc, "", "UNTC declarations (2013-2015)")
	if err != nil {
		return res, err
	}
	asOf := oldAsOf(filepath.Join(filepath.Dir(path), "treaty_"+strings.TrimPrefix(strings.TrimSuffix(filepath.Base(path), ".txt"), "declarations_")+".csv"))
	b, err := os.ReadFile(path)
	if err != nil {
		return res, err
	}
	var name string
	var body []string
	start := 0
	flush := func() error {
		text := strings.TrimSpace(strings.Join(body, "\n"))
		if name == "" || text == "" {
			return nil
		}
		r.p.Add(1)
		code, ok := r.state(&res, start, "participant", name)
		if !ok {
			return nil
		}
		d := Declaration{State: code, Instrument: inst, Section: "reservations", Heading: "Declarations and reservations", Body: text,
			Suggested: Suggest(inst, "reservations", text), Source: "UNTC " + untc + " declarations (taken 2013-2015)", AsOf: asOf}
		out, err := UpsertDeclaration(r.ctx, r.tx, d)
		res.Count(out)
		return err
	}
	for i, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "#") {
			if err := flush(); err != nil {
				return res, err
			}
			name, body, start = strings.TrimSpace(line[1:]), nil, i+1
			continue
		}
		body = append(body, line)
	}
	return res, flush()
}
