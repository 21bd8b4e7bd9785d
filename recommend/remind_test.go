package recommend

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/db/dbtest"
	"vigil/fieldcrypt"
	"vigil/sensitivity"
)

// fakeSMTP is a minimal SMTP server on localhost that keeps every message.
type fakeSMTP struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []fakeMsg
}

type fakeMsg struct {
	from string
	to   []string
	data string
}

func newFakeSMTP(t *testing.T) *fakeSMTP {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeSMTP{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *fakeSMTP) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	w := func(l string) { c.Write([]byte(l + "\r\n")) }
	w("220 fake ESMTP")
	var m fakeMsg
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			w("250 fake")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			m = fakeMsg{from: strings.TrimSpace(line[10:])}
			w("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			m.to = append(m.to, strings.Trim(strings.TrimSpace(line[8:]), "<>"))
			w("250 ok")
		case cmd == "DATA":
			w("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			m.data = b.String()
			s.mu.Lock()
			s.msgs = append(s.msgs, m)
			s.mu.Unlock()
			w("250 queued")
		case cmd == "QUIT":
			w("221 bye")
			return
		default:
			w("250 ok")
		}
	}
}

func (s *fakeSMTP) take() []fakeMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.msgs
	s.msgs = nil
	return m
}

func TestRemindersByEmail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		kr := fieldcrypt.Ephemeral()
		log := &audit.Log{}
		srv := newFakeSMTP(t)
		cfg := MailConfig{Addr: srv.ln.Addr().String(), From: "vigil@nhri.example", Soon: 10, BaseURL: "https://vigil.example"}
		var inst access.Institution
		var acts []Action
		var rec Recommendation
		err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			var err error
			if inst, err = access.CreateInstitution(ctx, tx, "Office", "XVG"); err != nil {
				return err
			}
			rec = save(t, ctx, tx, "r1", "XVG", "Protect human rights defenders.", "supported")
			an, err := access.CreateUser(ctx, tx, inst.ID, access.NewUser{Username: "ana", DisplayName: "Ana", Password: "correct horse battery 1", Role: access.Analyst})
			if err != nil {
				return err
			}
			pa, err := access.CreateUser(ctx, tx, inst.ID, access.NewUser{Username: "pat", DisplayName: "Pat", Password: "correct horse battery 2", Role: access.Partner, PartnerOf: "Friends"})
			if err != nil {
				return err
			}
			if _, err := AddRecipient(ctx, tx, kr, inst.ID, an.ID, "ana@nhri.example", "admin"); err != nil {
				return err
			}
			if _, err := AddRecipient(ctx, tx, kr, inst.ID, pa.ID, "pat@friends.example", "admin"); err != nil {
				return err
			}
			for _, a := range []Action{
				{Title: "Overdue internal step", Responsible: "Ministry A", DueOn: "2026-01-10", Sensitivity: sensitivity.Internal},
				{Title: "Soon partners step", Responsible: "Ministry B", DueOn: "2026-01-25", Sensitivity: sensitivity.Partners},
				{Title: "Secret witness step", Responsible: "Ministry C", DueOn: "2026-01-05", Sensitivity: sensitivity.Confidential},
				{Title: "Far away step", Responsible: "Ministry D", DueOn: "2026-06-01"},
				{Title: "Finished step", Responsible: "Ministry E", DueOn: "2026-01-01", Status: "done"},
			} {
				a.RecommendationID = rec.ID
				a, err := AddAction(ctx, tx, inst.ID, an.ID, a)
				if err != nil {
					return err
				}
				acts = append(acts, a)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := Remind(ctx, d, kr, log, cfg, "2026-01-20")
		if err != nil {
			t.Fatal(err)
		}
		if res.Actions != 3 || res.Mails != 2 {
			t.Fatalf("first run: %+v", res)
		}
		byTo := map[string]string{}
		for _, m := range srv.take() {
			byTo[strings.Join(m.to, ",")] = m.data
		}
		ana, pat := byTo["ana@nhri.example"], byTo["pat@friends.example"]
		for _, want := range []string{"OVERDUE since 2026-01-10: Overdue internal step (responsible: Ministry A)", "due on 2026-01-25: Soon partners step",
			"1 more action(s) above internal level", "https://vigil.example/recommendations/" + rec.ID} {
			if !strings.Contains(ana, want) {
				t.Errorf("analyst's mail lacks %q:\n%s", want, ana)
			}
		}
		if strings.Contains(ana, "Secret witness") || strings.Contains(ana, "Far away") || strings.Contains(ana, "Finished") {
			t.Errorf("analyst's mail says too much:\n%s", ana)
		}
		if !strings.Contains(pat, "Soon partners step") || strings.Contains(pat, "Overdue internal") || strings.Contains(pat, "more action") {
			t.Errorf("partner's mail:\n%s", pat)
		}
		// A restart (a second run the same day) sends nothing again.
		if res, err := Remind(ctx, d, kr, log, cfg, "2026-01-20"); err != nil || res.Mails != 0 || res.Actions != 0 {
			t.Fatalf("second run: %+v %v", res, err)
		}
		if m := srv.take(); len(m) != 0 {
			t.Fatalf("%d mails sent again", len(m))
		}
		// Once the soon action passes its date it is overdue: a new reminder.
		res, err = Remind(ctx, d, kr, log, cfg, "2026-01-26")
		if err != nil || res.Actions != 1 || res.Mails != 2 {
			t.Fatalf("overdue run: %+v %v", res, err)
		}
		if m := srv.take(); len(m) != 2 || !strings.Contains(m[0].data, "OVERDUE since 2026-01-25: Soon partners step") {
			t.Fatalf("overdue mails: %+v", m)
		}
		d.Read(ctx, inst.ID, func(tx *db.Tx) error {
			var n int
			tx.QueryRow(ctx, "SELECT COUNT(*) FROM rec_reminders WHERE institution_id = ?", inst.ID).Scan(&n)
			if n != 4 {
				t.Errorf("%d reminders recorded, want 4", n)
			}
			var enc string
			tx.QueryRow(ctx, "SELECT email_enc FROM rec_reminder_recipients WHERE institution_id = ? LIMIT 1", inst.ID).Scan(&enc)
			if strings.Contains(enc, "@") || enc == "" {
				t.Errorf("address stored in clear: %q", enc)
			}
			tx.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE institution_id = ? AND action = 'recommendation.reminders.send'", inst.ID).Scan(&n)
			if n != 2 {
				t.Errorf("%d audit entries, want 2", n)
			}
			return nil
		})
		// Without an SMTP server nothing is attempted.
		if _, err := Remind(ctx, d, kr, log, MailConfig{}, "2026-01-26"); err == nil {
			t.Error("a run without a server must fail")
		}
	})
}

// TestRemindSendsOutsideTransactions checks that no write transaction is
// open while mail is sent (another writer gets through during the SMTP
// conversation), and that a reminder whose mail failed is not recorded and
// goes out at the next run.
func TestRemindSendsOutsideTransactions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		kr := fieldcrypt.Ephemeral()
		log := &audit.Log{}
		cfg := MailConfig{Addr: "127.0.0.1:25", From: "vigil@nhri.example", Soon: 10}
		var inst access.Institution
		err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			var err error
			if inst, err = access.CreateInstitution(ctx, tx, "Office", "XVG"); err != nil {
				return err
			}
			rec := save(t, ctx, tx, "r1", "XVG", "Protect human rights defenders.", "supported")
			an, err := access.CreateUser(ctx, tx, inst.ID, access.NewUser{Username: "ana", DisplayName: "Ana", Password: "correct horse battery 1", Role: access.Analyst})
			if err != nil {
				return err
			}
			if _, err := AddRecipient(ctx, tx, kr, inst.ID, an.ID, "ana@nhri.example", "admin"); err != nil {
				return err
			}
			_, err = AddAction(ctx, tx, inst.ID, an.ID, Action{RecommendationID: rec.ID, Title: "Overdue step", Responsible: "Ministry A", DueOn: "2026-01-10"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		count := func(q string) int {
			var n int
			d.Read(ctx, inst.ID, func(tx *db.Tx) error { return tx.QueryRow(ctx, q, inst.ID).Scan(&n) })
			return n
		}
		// A failing send: nothing recorded, the error reported.
		calls := 0
		failing := func(ctx context.Context, cfg MailConfig, to []string, msg []byte) error {
			calls++
			return errors.New("connection refused")
		}
		if _, err := remind(ctx, d, kr, log, cfg, "2026-01-20", failing); err == nil {
			t.Fatal("a failed send must be reported")
		}
		if n := count("SELECT COUNT(*) FROM rec_reminders WHERE institution_id = ?"); calls != 1 || n != 0 {
			t.Fatalf("after a failed send: %d calls, %d reminders recorded", calls, n)
		}
		// The next run sends it; meanwhile another writer is not blocked.
		sent := 0
		working := func(ctx context.Context, cfg MailConfig, to []string, msg []byte) error {
			done := make(chan error, 1)
			go func() {
				done <- d.Write(ctx, db.System, func(tx *db.Tx) error {
					_, err := access.CreateInstitution(ctx, tx, "Other", "XVH")
					return err
				})
			}()
			select {
			case err := <-done:
				if err != nil {
					return err
				}
			case <-time.After(5 * time.Second):
				t.Error("a write waited for the SMTP conversation: a transaction is held while sending")
				return errors.New("blocked")
			}
			sent++
			return nil
		}
		res, err := remind(ctx, d, kr, log, cfg, "2026-01-20", working)
		if err != nil || sent != 1 || res.Actions != 1 || res.Mails != 1 {
			t.Fatalf("retry: %+v %v (sent %d)", res, err, sent)
		}
		if n := count("SELECT COUNT(*) FROM rec_reminders WHERE institution_id = ?"); n != 1 {
			t.Fatalf("%d reminders recorded, want 1", n)
		}
		if n := count("SELECT COUNT(*) FROM audit_log WHERE institution_id = ? AND action = 'recommendation.reminders.send'"); n != 1 {
			t.Fatalf("%d audit entries, want 1", n)
		}
		if res, err := remind(ctx, d, kr, log, cfg, "2026-01-20", working); err != nil || sent != 1 || res.Mails != 0 {
			t.Fatalf("third run: %+v %v (sent %d)", res, err, sent)
		}
	})
}

// TestSMTPSenderHonoursContext checks that a server that never answers
// does not hold the sender beyond its context.
func TestSMTPSenderHonoursContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accept, then say nothing
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = smtpSender(ctx, MailConfig{Addr: ln.Addr().String(), From: "vigil@nhri.example"}, []string{"a@b.example"}, []byte("x"))
	if err == nil {
		t.Fatal("a silent server must fail")
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("sender returned after %v", el)
	}
}

// TestSMTPRequiresTLS checks the transport policy: plaintext only to a
// loopback server; elsewhere a server without STARTTLS is refused before
// anything is sent.
func TestSMTPRequiresTLS(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:25": true, "127.8.9.10:2525": true, "[::1]:25": true, "localhost:25": true, "LOCALHOST:587": true,
		"smtp.example.org:25": false, "10.0.0.1:25": false, "192.168.1.5:587": false, "[2001:db8::1]:25": false, "0.0.0.0:25": false,
		"localhost.example.org:25": false, "127.0.0.1.example.org:25": false, "[::ffff:10.0.0.1]:25": false, "127.0.0.1": false, "": false,
	} {
		if got := plaintextAllowed(addr); got != want {
			t.Errorf("plaintextAllowed(%q) = %v, want %v", addr, got, want)
		}
	}
	// The fake server offers no STARTTLS: refused when plaintext is not
	// allowed (as for a server that is not on loopback), nothing delivered.
	srv := newFakeSMTP(t)
	conn, err := net.Dial("tcp", srv.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cfg := MailConfig{Addr: "smtp.example.org:25", From: "vigil@nhri.example"}
	err = smtpConverse(conn, cfg, "smtp.example.org", plaintextAllowed(cfg.Addr), []string{"a@b.example"}, []byte("Subject: x\r\n\r\nsecret\r\n"))
	if !errors.Is(err, errNoStartTLS) {
		t.Fatalf("err = %v, want the STARTTLS refusal", err)
	}
	time.Sleep(50 * time.Millisecond)
	if m := srv.take(); len(m) != 0 {
		t.Fatalf("%d messages delivered without TLS", len(m))
	}
}
