package recommend

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/fieldcrypt"
	"vigil/sensitivity"
)

// E-mail reminders of follow-up actions that fall due or are overdue.
//
// Each institution names who receives them (rec_reminder_recipients: a
// user and an address, the address encrypted). A run looks at every open
// action with a due date; an action due within Config.Soon days is "due",
// one past its date "overdue". Each (action, state, due date) is reminded
// once: after its mail went out, the run records it in rec_reminders in
// the same transaction as the audit entry, so a restart never sends it
// again, and a new due date gets a new reminder. No transaction is held
// open while mail is sent, and every SMTP conversation is time-limited.
// STARTTLS is required unless the SMTP server is on a loopback address.
// An e-mail tells a recipient only about actions their role may read, and
// never carries the text of anything above internal level: such an action
// is counted and the reader is asked to sign in.

func init() {
	fieldcrypt.Register(fieldcrypt.Column{Table: "rec_reminder_recipients", IDColumn: "id", InstitutionColumn: "institution_id",
		Column: "email_enc", Field: "email"})
}

// MailConfig is how to reach the SMTP server.
type MailConfig struct {
	Addr     string // host:port; empty: reminders are not sent by e-mail
	From     string
	User     string // optional SMTP authentication (PLAIN; needs TLS or localhost)
	Password string
	Soon     int    // days before the due date an action counts as due (default 7)
	BaseURL  string // where the pages are, for links in the e-mail (optional)
}

// MailConfigFromEnv reads VIGIL_SMTP_ADDR, VIGIL_SMTP_FROM,
// VIGIL_SMTP_USER, VIGIL_SMTP_PASSWORD, VIGIL_REMIND_SOON_DAYS and
// VIGIL_BASE_URL.
func MailConfigFromEnv() MailConfig {
	c := MailConfig{Addr: os.Getenv("VIGIL_SMTP_ADDR"), From: os.Getenv("VIGIL_SMTP_FROM"), User: os.Getenv("VIGIL_SMTP_USER"),
		Password: os.Getenv("VIGIL_SMTP_PASSWORD"), BaseURL: os.Getenv("VIGIL_BASE_URL")}
	c.Soon, _ = strconv.Atoi(os.Getenv("VIGIL_REMIND_SOON_DAYS"))
	return c
}

// Enabled reports whether an SMTP server is configured.
func (c MailConfig) Enabled() bool { return c.Addr != "" }

func (c MailConfig) check() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("SMTP server %q: want host:port", c.Addr)
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return fmt.Errorf("sender address %q: %v", c.From, err)
	}
	return nil
}

// Recipient is who receives an institution's reminders.
type Recipient struct {
	ID       string `json:"id"`
	UserID   string `json:"user_id"`
	Username string `json:"username"`
	Email    string `json:"email"`
}

// AddRecipient names a user of the institution as a recipient of
// reminders at email (replacing their address if they were one).
func AddRecipient(ctx context.Context, q db.Q, kr *fieldcrypt.Keyring, institution, userID, email, by string) (Recipient, error) {
	a, err := mail.ParseAddress(strings.TrimSpace(email))
	if err != nil || a.Name != "" {
		return Recipient{}, fmt.Errorf("%q is not a plain e-mail address", email)
	}
	u, err := access.GetUser(ctx, q, institution, userID)
	if err != nil {
		return Recipient{}, err
	}
	if _, err := q.Exec(ctx, "DELETE FROM rec_reminder_recipients WHERE institution_id = ? AND user_id = ?", institution, u.ID); err != nil {
		return Recipient{}, err
	}
	r := Recipient{ID: db.NewID(), UserID: u.ID, Username: u.Username, Email: a.Address}
	enc, err := kr.Encrypt(institution, "rec_reminder_recipients", r.ID, "email", r.Email)
	if err != nil {
		return Recipient{}, err
	}
	_, err = q.Exec(ctx, "INSERT INTO rec_reminder_recipients (id, institution_id, user_id, email_enc, created_by, created_at) VALUES (?,?,?,?,?,?)",
		r.ID, institution, u.ID, enc, by, db.Now())
	return r, err
}

// RemoveRecipient stops reminders to a user.
func RemoveRecipient(ctx context.Context, q db.Q, institution, userID string) error {
	res, err := q.Exec(ctx, "DELETE FROM rec_reminder_recipients WHERE institution_id = ? AND user_id = ?", institution, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

type recipientUser struct {
	Recipient
	role access.Role
}

func recipients(ctx context.Context, q db.Q, kr *fieldcrypt.Keyring, institution string) ([]recipientUser, error) {
	rows, err := q.Query(ctx, `SELECT r.id, r.user_id, u.username, u.role, r.email_enc FROM rec_reminder_recipients r JOIN users u ON u.id = r.user_id
		WHERE r.institution_id = ? AND u.institution_id = r.institution_id AND u.disabled = 0 ORDER BY u.username`, institution)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []recipientUser
	for rows.Next() {
		var r recipientUser
		var role, enc string
		if err := rows.Scan(&r.ID, &r.UserID, &r.Username, &role, &enc); err != nil {
			return nil, err
		}
		r.role = access.Role(role)
		if r.Email, err = kr.Decrypt(institution, "rec_reminder_recipients", r.ID, "email", enc); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Recipients lists the institution's reminder recipients.
func Recipients(ctx context.Context, q db.Q, kr *fieldcrypt.Keyring, institution string) ([]Recipient, error) {
	rs, err := recipients(ctx, q, kr, institution)
	out := make([]Recipient, len(rs))
	for i, r := range rs {
		out[i] = r.Recipient
	}
	return out, err
}

// Due is an action to remind of.
type Due struct {
	Action
	DueState string // "due" or "overdue"
	Symbol   string // the recommendation's document symbol and paragraph
}

// DueActions lists the institution's open actions that are overdue on
// today or due within soon days, and not yet reminded of in that state.
func DueActions(ctx context.Context, q db.Q, institution, today string, soon int) ([]Due, error) {
	t, err := time.Parse("2006-01-02", today)
	if err != nil {
		return nil, fmt.Errorf("day %q is not YYYY-MM-DD", today)
	}
	if soon <= 0 {
		soon = 7
	}
	until := t.AddDate(0, 0, soon).Format("2006-01-02")
	rows, err := q.Query(ctx, "SELECT "+actionCols+`, r.state_under_review, r.text, r.document_symbol, r.paragraph FROM rec_actions a
		JOIN recommendations r ON r.id = a.recommendation_id
		WHERE a.institution_id = ? AND a.status IN ('planned','in_progress') AND a.due_on <> '' AND a.due_on <= ?
		ORDER BY a.due_on, a.id`, institution, until)
	if err != nil {
		return nil, err
	}
	var out []Due
	for rows.Next() {
		var d Due
		var lvl int
		var sym, para string
		if err := rows.Scan(&d.ID, &d.RecommendationID, &d.Title, &d.Responsible, &d.Indicator, &d.DueOn, &d.Status, &lvl, &d.CreatedBy, &d.CreatedAt,
			&d.UpdatedAt, &d.State, &d.Text, &sym, &para); err != nil {
			rows.Close()
			return nil, err
		}
		d.Sensitivity = sensitivity.Level(lvl)
		d.Symbol = strings.TrimSpace(sym + " " + para)
		d.DueState = "due"
		if d.DueOn < today {
			d.DueState = "overdue"
		}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Leave out those already reminded in this state for this date.
	sent := map[string]bool{}
	rows, err = q.Query(ctx, "SELECT action_id, due_state, due_on FROM rec_reminders WHERE institution_id = ?", institution)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var a, s, d string
		if err := rows.Scan(&a, &s, &d); err != nil {
			rows.Close()
			return nil, err
		}
		sent[a+"\x00"+s+"\x00"+d] = true
	}
	rows.Close()
	keep := out[:0]
	for _, d := range out {
		if !sent[d.ID+"\x00"+d.DueState+"\x00"+d.DueOn] {
			keep = append(keep, d)
		}
	}
	return keep, rows.Err()
}

// RemindResult counts what a run did.
type RemindResult struct {
	Institutions int `json:"institutions"`
	Actions      int `json:"actions"` // actions reminded of
	Mails        int `json:"mails"`
}

// Sender sends one message; smtpSender is the real one.
type Sender func(ctx context.Context, cfg MailConfig, to []string, msg []byte) error

// Limits of one SMTP conversation: connecting, and the whole exchange
// (greeting, STARTTLS, authentication, the message). A server that hangs
// costs at most this, and never while a database transaction is open.
const (
	smtpDialTimeout = 10 * time.Second
	smtpTimeout     = 30 * time.Second
)

// plaintextAllowed reports whether mail to the SMTP server at addr
// (host:port) may go without TLS: only to a loopback address
// (127.0.0.0/8, ::1) or "localhost", i.e. a relay on the same machine.
// Everywhere else STARTTLS is required.
func plaintextAllowed(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	if i := strings.IndexByte(host, '%'); i >= 0 { // IPv6 zone
		host = host[:i]
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// smtpSender sends one message over its own connection, within
// smtpDialTimeout to connect and smtpTimeout in all (or ctx's deadline if
// sooner); cancelling ctx ends the conversation. It requires STARTTLS
// unless the server is on a loopback address (plaintextAllowed).
func smtpSender(ctx context.Context, cfg MailConfig, to []string, msg []byte) error {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return err
	}
	dl := net.Dialer{Timeout: smtpDialTimeout}
	conn, err := dl.DialContext(ctx, "tcp", cfg.Addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	deadline := time.Now().Add(smtpTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := conn.SetDeadline(deadline); err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	// Plaintext only when both the configured name and the address
	// actually reached are loopback.
	plain := plaintextAllowed(cfg.Addr)
	if ta, ok := conn.RemoteAddr().(*net.TCPAddr); !ok || !ta.IP.IsLoopback() {
		plain = false
	}
	err = smtpConverse(conn, cfg, host, plain, to, msg)
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

// errNoStartTLS is the refusal to send in the clear to a server that is
// not on a loopback address.
var errNoStartTLS = errors.New("the SMTP server does not offer STARTTLS; refusing to send in the clear to a server that is not on a loopback address")

// smtpConverse sends one message over conn. Unless plaintext is allowed,
// the server must offer STARTTLS and the TLS handshake (certificate
// verified for host) must succeed before anything is sent. Where
// plaintext is allowed, STARTTLS is still used when offered.
func smtpConverse(conn net.Conn, cfg MailConfig, host string, plaintext bool, to []string, msg []byte) error {
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	} else if !plaintext {
		return errNoStartTLS
	}
	if cfg.User != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("the SMTP server does not offer authentication")
		}
		if err := c.Auth(smtp.PlainAuth("", cfg.User, cfg.Password, host)); err != nil {
			return err
		}
	}
	if err := c.Mail(cfg.From); err != nil {
		return err
	}
	for _, addr := range to {
		if err := c.Rcpt(addr); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// Remind sends the reminders due on today for every institution (a
// command spanning institutions: System scope). For each institution the
// due reminders are read in a read transaction, the mails sent with no
// transaction open, and then the reminders sent are recorded with the
// audit entry in one short write transaction. A reminder whose mail could
// not be sent is not recorded, so the next run tries it again.
func Remind(ctx context.Context, d *db.DB, kr *fieldcrypt.Keyring, log *audit.Log, cfg MailConfig, today string) (RemindResult, error) {
	return remind(ctx, d, kr, log, cfg, today, smtpSender)
}

func remind(ctx context.Context, d *db.DB, kr *fieldcrypt.Keyring, log *audit.Log, cfg MailConfig, today string, send Sender) (RemindResult, error) {
	var res RemindResult
	if !cfg.Enabled() {
		return res, errors.New("no SMTP server configured (VIGIL_SMTP_ADDR or --smtp)")
	}
	if err := cfg.check(); err != nil {
		return res, err
	}
	var insts []access.Institution
	if err := d.Read(ctx, db.System, func(tx *db.Tx) error {
		var err error
		insts, err = access.ListInstitutions(ctx, tx)
		return err
	}); err != nil {
		return res, err
	}
	for _, in := range insts {
		var due []Due
		var rs []recipientUser
		err := d.Read(ctx, in.ID, func(tx *db.Tx) error {
			var err error
			if due, err = DueActions(ctx, tx, in.ID, today, cfg.Soon); err != nil || len(due) == 0 {
				return err
			}
			rs, err = recipients(ctx, tx, kr, in.ID)
			return err
		})
		if err != nil {
			return res, fmt.Errorf("%s: %w", in.Name, err)
		}
		if len(due) == 0 || len(rs) == 0 {
			continue // nobody to tell: nothing is recorded, the next run tries again
		}
		// Send with no transaction open. After the first failure nothing
		// more is sent for the institution; the actions of every mail not
		// sent stay unrecorded.
		mails := 0
		told := map[string]int{}    // action id -> recipients
		unsent := map[string]bool{} // actions of a mail not sent
		var sendErr error
		for _, r := range rs {
			msg, shown := reminderMail(cfg, in, r, due, today)
			if len(shown) == 0 {
				continue
			}
			if sendErr == nil {
				if err := send(ctx, cfg, []string{r.Email}, msg); err != nil {
					sendErr = fmt.Errorf("send to %s: %w", r.Username, err)
				}
			}
			if sendErr != nil {
				for _, id := range shown {
					unsent[id] = true
				}
				continue
			}
			mails++
			for _, id := range shown {
				told[id]++
			}
		}
		var sent []Due
		for _, a := range due {
			if !unsent[a.ID] {
				sent = append(sent, a)
			}
		}
		if len(sent) > 0 || mails > 0 {
			// Mails that went out are recorded even when ctx has just
			// ended, so that they are not sent again.
			wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), smtpTimeout)
			err := d.Write(wctx, in.ID, func(tx *db.Tx) error {
				now := db.Now()
				for _, a := range sent {
					// DO NOTHING: another run may have recorded it meanwhile.
					if _, err := tx.Exec(wctx, `INSERT INTO rec_reminders (id, institution_id, action_id, due_state, due_on, recipients, sent_at)
						VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING`, db.NewID(), in.ID, a.ID, a.DueState, a.DueOn, told[a.ID], now); err != nil {
						return err
					}
				}
				return log.Append(wctx, tx, audit.Entry{Institution: in.ID, ActorName: "vigil recommend remind", Action: "recommendation.reminders.send",
					ObjectType: "recommendation", Detail: fmt.Sprintf("actions=%d mails=%d day=%s", len(sent), mails, today)})
			})
			cancel()
			if err != nil {
				return res, fmt.Errorf("%s: %w", in.Name, err)
			}
			res.Institutions++
			res.Actions += len(sent)
			res.Mails += mails
		}
		if sendErr != nil {
			return res, fmt.Errorf("%s: %w", in.Name, sendErr)
		}
	}
	return res, nil
}

// reminderMail writes the message for one recipient: the actions their
// role may read, with titles only up to internal level. It returns the
// ids of the actions it mentions.
func reminderMail(cfg MailConfig, in access.Institution, r recipientUser, due []Due, today string) ([]byte, []string) {
	cl := r.role.Clearance()
	var lines []string
	var ids []string
	withheld := 0
	sort.SliceStable(due, func(i, j int) bool { return due[i].DueState > due[j].DueState }) // overdue first
	for _, a := range due {
		if !sensitivity.Allows(cl, a.Sensitivity) {
			continue
		}
		ids = append(ids, a.ID)
		if a.Sensitivity > sensitivity.Internal {
			withheld++
			continue
		}
		what := "due on " + a.DueOn
		if a.DueState == "overdue" {
			what = "OVERDUE since " + a.DueOn
		}
		line := fmt.Sprintf("- %s: %s (responsible: %s)", what, oneLine(a.Title), oneLine(a.Responsible))
		if a.Symbol != "" {
			line += "\n  recommendation " + oneLine(a.Symbol)
		}
		if cfg.BaseURL != "" {
			line += "\n  " + strings.TrimRight(cfg.BaseURL, "/") + "/recommendations/" + a.RecommendationID
		}
		lines = append(lines, line)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	soon := cfg.Soon
	if soon <= 0 {
		soon = 7
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
		cfg.From, r.Email, mime.QEncoding.Encode("utf-8", "Vigil: follow-up actions due or overdue ("+oneLine(in.Name)+")"), time.Now().UTC().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Follow-up actions of %s that are due within %d days or overdue, as of %s:\r\n\r\n", oneLine(in.Name), soon, today)
	for _, l := range lines {
		b.WriteString(strings.ReplaceAll(l, "\n", "\r\n") + "\r\n")
	}
	if withheld > 0 {
		fmt.Fprintf(&b, "\r\n%d more action(s) above internal level: sign in to Vigil to read them.\r\n", withheld)
	}
	b.WriteString("\r\nYou receive this because your institution's administrator named you for reminders in Vigil.\r\n")
	return []byte(b.String()), ids
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// RunReminders sends the reminders now and then every interval until ctx
// ends; failures are reported through logf and retried at the next turn
// (nothing is recorded for a reminder that was not sent). It is meant for
// `vigil serve` when an SMTP server is configured.
func RunReminders(ctx context.Context, d *db.DB, kr *fieldcrypt.Keyring, log *audit.Log, cfg MailConfig, interval time.Duration, logf func(msg string, args ...any)) {
	if interval <= 0 {
		interval = 6 * time.Hour
	}
	for {
		res, err := Remind(ctx, d, kr, log, cfg, time.Now().UTC().Format("2006-01-02"))
		if err != nil {
			logf("recommendation reminders failed", "error", err)
		} else if res.Mails > 0 {
			logf("recommendation reminders sent", "actions", res.Actions, "mails", res.Mails)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}
