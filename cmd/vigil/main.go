// Command vigil is the whole product in one binary: the web server and every
// bulk or scheduled task (import, export, backup, audit verification, user
// administration). This package only wires flags and configuration to the
// packages that do the work; each subcommand lives in its own file and
// registers itself in init.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"vigil/db"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string) error
}

var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

// usageError marks an error caused by the caller's input: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:]))
}

func run(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage()
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(os.Stderr, "vigil: unknown command %q (run 'vigil --help' for the list)\n", args[0])
		return 2
	}
	err := c.run(ctx, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	default:
		var ue usageError
		fmt.Fprintf(os.Stderr, "vigil %s: %s\n", c.name, oneLine(err))
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

func printUsage() {
	fmt.Fprintln(os.Stderr, "vigil: atrocity-prevention work of a national human rights institution.\n\nUsage: vigil COMMAND [flags]   (vigil COMMAND --help for its flags)\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, commands[n].summary)
	}
}

// newFlags makes a flag set that prints its own usage and returns errors
// instead of exiting, so run can give one exit status policy.
func newFlags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: vigil %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args and turns a flag error into a usage error.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

// storeFlags are the flags every command that touches the store takes.
type storeFlags struct {
	db   string
	data string
}

func addStoreFlags(fs *flag.FlagSet) *storeFlags {
	s := &storeFlags{}
	fs.StringVar(&s.db, "db", os.Getenv("VIGIL_DB"), "store: sqlite:PATH or postgres://URL (env VIGIL_DB; default sqlite:DATA/vigil.db)")
	fs.StringVar(&s.data, "data", envOr("VIGIL_DATA", "data"), "data directory: embedded database, keys, evidence files (env VIGIL_DATA)")
	return s
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func (s *storeFlags) url() string {
	if s.db != "" {
		return s.db
	}
	return "sqlite:" + filepath.Join(s.data, "vigil.db")
}

// open connects to the store and applies pending migrations.
func (s *storeFlags) open(ctx context.Context) (*db.DB, error) {
	if err := os.MkdirAll(s.data, 0o700); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", s.data, err)
	}
	d, err := db.Open(ctx, s.url())
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return d, nil
}

func init() {
	register(command{"version", "print the version and schema version", func(ctx context.Context, args []string) error {
		fs := newFlags("version", "version")
		if err := parse(fs, args); err != nil {
			return err
		}
		fmt.Printf("vigil %s (schema %d)\n", version, db.SchemaVersion())
		return nil
	}})
	register(command{"migrate", "apply database migrations and exit", func(ctx context.Context, args []string) error {
		fs := newFlags("migrate", "migrate [--db URL] [--data DIR]")
		sf := addStoreFlags(fs)
		if err := parse(fs, args); err != nil {
			return err
		}
		d, err := db.Open(ctx, sf.url())
		if err != nil {
			return err
		}
		defer d.Close()
		n, err := d.Migrate(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("applied %d migration(s); schema is at %d\n", n, db.SchemaVersion())
		return nil
	}})
}
