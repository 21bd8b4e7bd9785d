package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"vigil/backup"
	"vigil/db"
)

// vigil backup and vigil restore: the whole store to one portable file and
// back, into either kind of store. The format and its checks are package
// backup's; this file handles files, flags and what the operator sees.

const backupNote = `
The file holds every table of the store and nothing from the data directory:
keep the key files (field.keys, the audit signing key) and any other files
there safe on their own; encrypted fields cannot be read without the keys.
Anyone with the file can read everything else, so guard it as you guard the
database itself.
`

func init() {
	register(command{"backup", "copy the whole store to a portable backup file (servers may keep running)", runBackup})
	register(command{"restore", "load a backup file into a new, empty store (SQLite or PostgreSQL)", runRestore})
}

func runBackup(ctx context.Context, args []string) error {
	const synopsis = "backup -o FILE [--db URL] [--data DIR]"
	fs := newFlags("backup", synopsis)
	sf := addStoreFlags(fs)
	out := fs.String("o", "", "write the backup to `FILE` (- for standard output); an existing file is replaced only once the backup is complete")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: vigil %s\n\nCopies the store as it stands at one instant while servers keep writing.\n%s\nFlags:\n", synopsis, backupNote)
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected argument %q: the file goes after -o", fs.Arg(0))
	case *out == "":
		return usagef("where to? give -o FILE")
	}
	if *out != "-" {
		if err := checkOutput(*out); err != nil {
			return err
		}
	}

	d, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	opts := backup.Options{Progress: terminalProgress()}
	var s backup.Summary
	report := os.Stdout
	if *out == "-" {
		report = os.Stderr // standard output is the backup
		s, err = opts.Write(ctx, d, os.Stdout)
	} else {
		err = replaceFile(*out, func(w io.Writer) error {
			s, err = opts.Write(ctx, d, w)
			return err
		})
	}
	if err != nil {
		return fmt.Errorf("backup failed, no file written: %w", err)
	}
	fmt.Fprintf(report, "backed up %d rows from %d tables to %s\n", s.Rows, len(s.Tables), *out)
	return nil
}

func runRestore(ctx context.Context, args []string) error {
	const synopsis = "restore [--db URL] [--data DIR] FILE"
	fs := newFlags("restore", synopsis)
	sf := addStoreFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: vigil %s\n\nLoads a file made by vigil backup (- reads standard input) into an empty\n"+
			"store, of either kind: this is also how an institution moves from SQLite to\n"+
			"PostgreSQL. The whole file is checked before anything is written, and all rows\n"+
			"go in within one transaction, so a refused or failed restore leaves the store\n"+
			"as it was.\n%s\nFlags:\n", synopsis, backupNote)
		fs.PrintDefaults()
	}
	// Flags may come before or after FILE.
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("which backup? give FILE")
	}
	name := fs.Arg(0)
	if err := parse(fs, fs.Args()[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q: restore reads one FILE", fs.Arg(0))
	}

	in, err := openBackup(name)
	if err != nil {
		return err
	}
	defer in.Close()
	// Check the file before the store is opened: opening migrates it, and a
	// refused restore should not even have created an empty store.
	if _, err := backup.Verify(in); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if _, err := in.Seek(0, io.SeekStart); err != nil {
		return err
	}

	d, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	s, err := backup.Options{Progress: terminalProgress()}.Restore(ctx, d, in)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	fmt.Printf("restored %d rows into %d tables from %s (made %s from %s at schema %d) into %s\n",
		s.Rows, len(s.Tables), name, s.Created.Format("2006-01-02 15:04 MST"), s.Dialect, s.Schema, db.Redact(d.URL))
	return nil
}

// checkOutput turns a path that cannot be a backup file into a usage error
// before the store is opened.
func checkOutput(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usagef("-o %s is a directory", path)
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return usagef("-o %s: directory %s does not exist", path, dir)
	}
	return nil
}

// openBackup opens FILE, or copies standard input to a temporary file for
// "-": restore reads its input more than once. The temporary file is gone
// once closed.
func openBackup(name string) (*os.File, error) {
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, usagef("%v", err)
		}
		if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
			f.Close()
			return nil, usagef("%s is not a regular file", name)
		}
		return f, nil
	}
	tmp, err := os.CreateTemp("", "vigil-restore-*")
	if err != nil {
		return nil, err
	}
	os.Remove(tmp.Name()) // the open file stays readable; nothing is left behind
	if _, err := io.Copy(tmp, os.Stdin); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("read standard input: %w", err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		tmp.Close()
		return nil, err
	}
	return tmp, nil
}

// replaceFile writes path through a temporary file in the same directory,
// renamed over path only after write succeeded and the data reached the
// disk: a failed or interrupted backup never leaves a partial file, and
// never destroys the previous backup of the same name.
func replaceFile(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.partial") // mode 0600
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = write(tmp); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Make the rename itself durable; failing here only weakens that.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// terminalProgress shows rows copied per table on standard error when that
// is a terminal, and nothing otherwise, so logs and cron mail stay clean.
func terminalProgress() backup.Progress {
	fi, err := os.Stderr.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return func(table string, rows int64, done bool) {
		end := ""
		if done {
			end = "\n"
		}
		fmt.Fprintf(os.Stderr, "\r  %-24s %10d rows%s", table, rows, end)
	}
}
