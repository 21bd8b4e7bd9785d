package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
	"vigil/demo"
	"vigil/fieldcrypt"
	"vigil/recommend"
	"vigil/web"
)

func init() {
	register(command{"serve", "run the web server (pages and /api/v1)", serve})
	register(command{"demo", "seed an empty store with the demo institution", demoCmd})
}

// secrets are the keys a running instance needs besides the store.
type secrets struct {
	keyFile, auditKey string
}

func addSecretFlags(fs interface {
	StringVar(*string, string, string, string)
}) *secrets {
	s := &secrets{}
	fs.StringVar(&s.keyFile, "keys", os.Getenv("VIGIL_KEY_FILE"), "field-encryption key file (env VIGIL_KEY_FILE or VIGIL_KEYS; default DATA/field.keys, created when missing)")
	fs.StringVar(&s.auditKey, "audit-key", os.Getenv("VIGIL_AUDIT_KEY"), "ed25519 key that signs audit checkpoints (env VIGIL_AUDIT_KEY; default DATA/audit_ed25519.key, created when missing)")
	return s
}

func (s *secrets) load(dataDir string) (*fieldcrypt.Keyring, *audit.Log, error) {
	kf := s.keyFile
	if kf == "" {
		kf = fieldcrypt.DefaultPath(dataDir)
	}
	kr, err := fieldcrypt.LoadOrCreate(kf)
	if err != nil {
		return nil, nil, err
	}
	ak := s.auditKey
	if ak == "" {
		ak = filepath.Join(dataDir, "audit_ed25519.key")
	}
	priv, err := audit.LoadOrCreateKey(ak)
	if err != nil {
		return nil, nil, err
	}
	return kr, &audit.Log{Signer: priv, Every: 100}, nil
}

// openWithSecrets opens the store and loads the field keys and the audit
// log a writing command needs. The caller closes the store.
func openWithSecrets(ctx context.Context, sf *storeFlags, sec *secrets) (*db.DB, *fieldcrypt.Keyring, *audit.Log, error) {
	d, err := sf.open(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	kr, alog, err := sec.load(sf.data)
	if err != nil {
		d.Close()
		return nil, nil, nil, err
	}
	return d, kr, alog, nil
}

func newLogger(format string) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, nil)), nil
	}
	return nil, usagef("--log-format %q: want text or json", format)
}

func serve(ctx context.Context, args []string) error {
	fs := newFlags("serve", "serve [--addr HOST:PORT] [--db URL] [--data DIR] [--demo] [--log-format text|json]")
	addr := fs.String("addr", envOr("VIGIL_ADDR", "127.0.0.1:8080"), "address to listen on (env VIGIL_ADDR)")
	withDemo := fs.Bool("demo", false, "seed the demo institution when the store is empty")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	secure := fs.Bool("secure", os.Getenv("VIGIL_SECURE") == "1", "browsers reach Vigil over HTTPS (a TLS proxy in front): Secure cookies and HSTS")
	sf := addStoreFlags(fs)
	sec := addSecretFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	logger, err := newLogger(*logFormat)
	if err != nil {
		return err
	}
	start := time.Now()
	d, kr, alog, err := openWithSecrets(ctx, sf, sec)
	if err != nil {
		return err
	}
	defer d.Close()
	alog.Report = func(err error) {
		logger.Warn("audit checkpoint after a commit (the minute's checkpoint run will sign it)", "err", err)
	}
	if *withDemo {
		info, err := demo.Seed(ctx, d, kr, alog)
		switch {
		case errors.Is(err, demo.ErrNotEmpty):
			logger.Info("store already holds data; demo not seeded")
		case err != nil:
			return fmt.Errorf("demo: %w", err)
		default:
			printDemo(info)
		}
	}
	srv, err := web.New(web.Config{DB: d, Audit: alog, Keys: kr, Logger: logger, Secure: *secure, Version: version})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return usagef("cannot listen on %s: %v", *addr, err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	// Background loops stop after the last request has finished and before
	// the store closes (deferred calls run in reverse order).
	defer background(ctx, func(ctx context.Context) { purgeSessions(ctx, d, logger) })()
	// Sign a checkpoint of every chain that has gone quiet, each minute and
	// once more at shutdown, so the newest entries do not stay unsigned
	// (docs/security.md).
	defer background(ctx, func(ctx context.Context) {
		alog.RunCheckpoints(ctx, d, time.Minute, func(err error) { logger.Error("audit checkpoint", "err", err) })
	})()
	// E-mail reminders of due and overdue follow-up actions, when an SMTP
	// server is configured (VIGIL_SMTP_ADDR and the rest: docs/recommend.md).
	if mc := recommend.MailConfigFromEnv(); mc.Enabled() {
		defer background(ctx, func(ctx context.Context) {
			recommend.RunReminders(ctx, d, kr, alog, mc, 6*time.Hour, logger.Info)
		})()
		logger.Info("e-mail reminders on", "smtp", mc.Addr)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	logger.Info("ready", "url", "http://"+ln.Addr().String(), "store", string(d.Dialect), "startup", time.Since(start).String())
	fmt.Fprintf(os.Stderr, "Vigil is serving on http://%s\n", ln.Addr())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
}

// background runs loop in a goroutine with a context of its own and returns
// the function that cancels it and waits for it to return.
func background(ctx context.Context, loop func(context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		loop(ctx)
	}()
	return func() { cancel(); <-done }
}

func purgeSessions(ctx context.Context, d *db.DB, logger *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			err := d.Write(ctx, db.System, func(tx *db.Tx) error { _, err := access.PurgeSessions(ctx, tx); return err })
			if err != nil {
				logger.Warn("purging expired sessions", "err", err)
			}
		}
	}
}

func printDemo(info demo.Info) {
	fmt.Fprintf(os.Stderr, "\nDemo institution: %s\nSign in with any of these usernames and the password %q:\n", info.Institution, demo.Password)
	for _, a := range info.Accounts {
		fmt.Fprintf(os.Stderr, "  %-11s %s\n", a.Username, a.Role)
	}
	fmt.Fprintln(os.Stderr, "The demo password is public: never keep real data in a store seeded with it.")
}

func demoCmd(ctx context.Context, args []string) error {
	fs := newFlags("demo", "demo [--db URL] [--data DIR]")
	sf := addStoreFlags(fs)
	sec := addSecretFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	d, kr, alog, err := openWithSecrets(ctx, sf, sec)
	if err != nil {
		return err
	}
	defer d.Close()
	info, err := demo.Seed(ctx, d, kr, alog)
	if err != nil {
		return err
	}
	printDemo(info)
	return nil
}
