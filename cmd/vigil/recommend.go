package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/recommend"
)

// vigil search recommendations QUERY [--state XXX] [--limit N] [--json]:
// full-text search of the recommendations tracker (package recommend; the
// query language is described there). Linking package recommend here also
// registers its import kinds, upr-info and uhri.

func init() {
	register(command{"search", "search records (vigil search recommendations QUERY ...)", runSearch})
}

func runSearch(ctx context.Context, args []string) error {
	fs := newFlags("search", "search recommendations QUERY [--state XXX] [--mechanism M] [--theme T] [--response R] [--cycle N] [--limit N] [--json]")
	sf := addStoreFlags(fs)
	state := fs.String("state", "", "only recommendations to this State under review (ISO alpha-3, e.g. AFG)")
	mechanism := fs.String("mechanism", "", "only this mechanism: "+strings.Join(recommend.Mechanisms, ", "))
	theme := fs.String("theme", "", "only this theme (e.g. \"Enforced disappearances\")")
	response := fs.String("response", "", "only this response: "+strings.Join(recommend.Responses, ", "))
	cycle := fs.Int("cycle", 0, "only this UPR cycle")
	limit := fs.Int("limit", 20, "at most this many results")
	asJSON := fs.Bool("json", false, `print {"total": N, "results": [...]} as JSON`)
	facets := fs.Bool("facets", false, "with --json, add facet counts")
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprint(out, `Usage: vigil search recommendations QUERY [flags]

QUERY words are stemmed and folded (case, accents): women finds woman.
  "death penalty"   words next to each other     torture OR ill    either
  torture NOT death  (or -death) exclude          disappear*        prefix
  (a OR b) c         grouping; AND is implied between words

Flags:
`)
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 || fs.Arg(0) != "recommendations" {
		return usagef("search what? the only kind is: recommendations")
	}
	if err := parse(fs, fs.Args()[1:]); err != nil {
		return err
	}
	// Flags may follow the query as well as precede it.
	var words []string
	rest := fs.Args()
	for len(rest) > 0 {
		words = append(words, rest[0])
		if err := parse(fs, rest[1:]); err != nil {
			return err
		}
		rest = fs.Args()
	}
	query := strings.Join(words, " ")
	if *limit < 1 || *limit > 10000 {
		return usagef("--limit must be between 1 and 10000")
	}
	if *mechanism != "" && !inList(recommend.Mechanisms, *mechanism) {
		return usagef("--mechanism must be one of %s", strings.Join(recommend.Mechanisms, ", "))
	}
	if *response != "" && !inList(recommend.Responses, *response) {
		return usagef("--response must be one of %s", strings.Join(recommend.Responses, ", "))
	}
	if _, err := recommend.MatchExpr(db.SQLite, query); err != nil {
		return usagef("query: %v", err)
	}
	d, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	var res recommend.Results
	f := recommend.Filter{Query: query, State: *state, Mechanism: *mechanism, Theme: *theme, Response: *response, Cycle: *cycle,
		Limit: *limit, NoFacets: !(*asJSON && *facets)}
	err = d.Read(ctx, db.System, func(tx *db.Tx) error {
		var err error
		res, err = recommend.Search(ctx, tx, f)
		return err
	})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(res)
	}
	fmt.Printf("%d recommendation(s) match; showing %d\n", res.Total, len(res.Results))
	for _, r := range res.Results {
		fmt.Printf("\n%s  %s  session %s  from %s  %s\n  %s\n", r.ID, r.StateUnderReview, r.Session, r.RecommendingState, r.Response, r.Text)
	}
	return nil
}

func inList(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// vigil recommend suggest-links | remind | remind-to: follow-up work of the
// recommendations tracker that runs outside the pages.
func init() {
	register(command{"recommend", "recommendations follow-up: suggest-links, remind (e-mail reminders), remind-to", runRecommend})
}

func runRecommend(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("vigil recommend suggest-links|remind|remind-to [flags] (-h after one for its flags)")
	}
	switch args[0] {
	case "suggest-links":
		return recSuggestCmd(ctx, args[1:])
	case "remind":
		return recRemindCmd(ctx, args[1:])
	case "remind-to":
		return recRemindToCmd(ctx, args[1:])
	}
	return usagef("vigil recommend: unknown %q; want suggest-links, remind or remind-to", args[0])
}

// recSuggestCmd runs the suggestion rules for one institution or all.
func recSuggestCmd(ctx context.Context, args []string) error {
	fs := newFlags("recommend suggest-links", "recommend suggest-links [--institution ID]")
	sf := addStoreFlags(fs)
	sec := addSecretFlags(fs)
	inst := fs.String("institution", "", "only this institution (default: every institution, each for its own State)")
	if err := parse(fs, args); err != nil {
		return err
	}
	d, _, alog, err := openWithSecrets(ctx, sf, sec)
	if err != nil {
		return err
	}
	defer d.Close()
	var insts []access.Institution
	if err := d.Read(ctx, db.System, func(tx *db.Tx) error {
		insts, err = access.ListInstitutions(ctx, tx)
		return err
	}); err != nil {
		return err
	}
	found := false
	for _, in := range insts {
		if *inst != "" && in.ID != *inst {
			continue
		}
		found = true
		var res recommend.SuggestResult
		err := d.Write(ctx, in.ID, func(tx *db.Tx) error {
			var err error
			if res, err = recommend.SuggestLinks(ctx, tx, in.ID, in.CountryCode); err != nil {
				return err
			}
			return alog.Append(ctx, tx, audit.Entry{Institution: in.ID, ActorName: "vigil cli (" + osUser() + ")", Action: "recommendation.risklink.suggest",
				ObjectType: "recommendation", Detail: fmt.Sprintf("state=%s examined=%d suggested=%d known=%d", in.CountryCode, res.Examined, res.Suggested, res.Known)})
		})
		if err != nil {
			return fmt.Errorf("%s: %w", in.Name, err)
		}
		fmt.Printf("%s (%s): %d recommendations examined, %d new suggestions, %d already linked, suggested or rejected\n",
			in.Name, in.CountryCode, res.Examined, res.Suggested, res.Known)
	}
	if !found {
		return usagef("no institution %q (vigil institution list shows them)", *inst)
	}
	return nil
}

// recRemindCmd sends the e-mail reminders of due and overdue actions once.
func recRemindCmd(ctx context.Context, args []string) error {
	cfg := recommend.MailConfigFromEnv()
	fs := newFlags("recommend remind", "recommend remind [--smtp HOST:PORT] [--from ADDRESS] [--soon DAYS] [--today YYYY-MM-DD]")
	sf := addStoreFlags(fs)
	sec := addSecretFlags(fs)
	fs.StringVar(&cfg.Addr, "smtp", cfg.Addr, "SMTP server host:port (env VIGIL_SMTP_ADDR); user and password from VIGIL_SMTP_USER and VIGIL_SMTP_PASSWORD")
	fs.StringVar(&cfg.From, "from", cfg.From, "sender address (env VIGIL_SMTP_FROM)")
	fs.IntVar(&cfg.Soon, "soon", max(cfg.Soon, 7), "an action due within this many days counts as due (env VIGIL_REMIND_SOON_DAYS)")
	fs.StringVar(&cfg.BaseURL, "base-url", cfg.BaseURL, "address of the pages, for links in the e-mails (env VIGIL_BASE_URL)")
	today := fs.String("today", time.Now().UTC().Format("2006-01-02"), "the day to remind as of")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !cfg.Enabled() {
		return usagef("no SMTP server: give --smtp HOST:PORT or set VIGIL_SMTP_ADDR")
	}
	d, kr, alog, err := openWithSecrets(ctx, sf, sec)
	if err != nil {
		return err
	}
	defer d.Close()
	res, err := recommend.Remind(ctx, d, kr, alog, cfg, *today)
	fmt.Printf("%d institution(s) with reminders, %d action(s), %d e-mail(s) sent\n", res.Institutions, res.Actions, res.Mails)
	return err
}

// recRemindToCmd names (or, with --remove, removes) a user as a recipient
// of their institution's reminders.
func recRemindToCmd(ctx context.Context, args []string) error {
	fs := newFlags("recommend remind-to", "recommend remind-to --user USERNAME (--email ADDRESS | --remove)")
	sf := addStoreFlags(fs)
	sec := addSecretFlags(fs)
	user := fs.String("user", "", "username of the recipient; the e-mails say only what their role may read")
	email := fs.String("email", "", "their e-mail address (stored encrypted)")
	remove := fs.Bool("remove", false, "stop sending them reminders")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *user == "" || (*email == "") == !*remove {
		return usagef("give --user and either --email or --remove")
	}
	d, kr, alog, err := openWithSecrets(ctx, sf, sec)
	if err != nil {
		return err
	}
	defer d.Close()
	var u access.User
	if err := d.Read(ctx, db.System, func(tx *db.Tx) error {
		u, err = access.GetUserByName(ctx, tx, *user)
		return err
	}); err != nil {
		return usagef("no user %q", *user)
	}
	err = d.Write(ctx, u.InstitutionID, func(tx *db.Tx) error {
		action := "recommendation.reminders.recipient.add"
		if *remove {
			action = "recommendation.reminders.recipient.remove"
			if err := recommend.RemoveRecipient(ctx, tx, u.InstitutionID, u.ID); err != nil {
				return err
			}
		} else if _, err := recommend.AddRecipient(ctx, tx, kr, u.InstitutionID, u.ID, *email, "vigil cli"); err != nil {
			return err
		}
		return alog.Append(ctx, tx, audit.Entry{Institution: u.InstitutionID, ActorName: "vigil cli (" + osUser() + ")", Action: action,
			ObjectType: "user", ObjectID: u.ID})
	})
	if err != nil {
		return err
	}
	// Printed once committed: fn may run twice (db.Write).
	fmt.Printf("%s: %s\n", u.Username, map[bool]string{true: "no longer receives reminders", false: "receives reminders"}[*remove])
	return nil
}
