package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"vigil/access"
	"vigil/audit"
	"vigil/db"
)

func init() {
	register(command{"user", "manage accounts: add, list, disable, enable, reset-password", userCmd})
	register(command{"institution", "manage institutions: add, list", institutionCmd})
}

const userSynopsis = `user add --institution ID --username NAME --name "FULL NAME" --role ROLE [--partner-of ORG]
       vigil user list --institution ID
       vigil user disable|enable USERNAME
       vigil user reset-password USERNAME
  (every form also takes --db URL --data DIR; passwords are read from standard input, one line)`

func userCmd(ctx context.Context, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := newFlags("user", userSynopsis)
		if err := parse(fs, args); err != nil {
			return err
		}
		return usagef("missing subcommand: add, list, disable, enable or reset-password")
	}
	sub, args := args[0], args[1:]
	fs := newFlags("user "+sub, userSynopsis)
	sf := addStoreFlags(fs)
	sec := addSecretFlags(fs)
	inst := fs.String("institution", "", "institution id (vigil institution list shows them)")
	username := fs.String("username", "", "username (add)")
	name := fs.String("name", "", "display name (add)")
	role := fs.String("role", "", "role: administrator, analyst, documenter, reviewer, viewer or partner (add)")
	partnerOf := fs.String("partner-of", "", "partner organisation (partner role)")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch sub {
	case "add", "list", "disable", "enable", "reset-password":
	default:
		return usagef("unknown subcommand %q: want add, list, disable, enable or reset-password", sub)
	}
	d, _, alog, err := openWithSecrets(ctx, sf, sec)
	if err != nil {
		return err
	}
	defer d.Close()
	rec := func(tx *db.Tx, instID, action, id string) error {
		return alog.Append(ctx, tx, audit.Entry{Institution: instID, ActorName: "vigil cli (" + osUser() + ")", Action: action, ObjectType: "user", ObjectID: id})
	}
	switch sub {
	case "add":
		if *inst == "" || *username == "" || *name == "" || *role == "" {
			return usagef("user add needs --institution, --username, --name and --role")
		}
		r, err := access.ParseRole(*role)
		if err != nil {
			return usagef("%v", err)
		}
		pw, err := readPassword("password for " + *username)
		if err != nil {
			return err
		}
		var u access.User
		err = d.Write(ctx, db.System, func(tx *db.Tx) error {
			if _, err := access.GetInstitution(ctx, tx, *inst); err != nil {
				return usagef("institution %q: %v", *inst, err)
			}
			var err error
			u, err = access.CreateUser(ctx, tx, *inst, access.NewUser{Username: *username, DisplayName: *name, Role: r, PartnerOf: *partnerOf, Password: pw})
			if err != nil {
				return usagef("%v", err)
			}
			return rec(tx, *inst, "user.create", u.ID)
		})
		if err != nil {
			return err
		}
		// Printed once committed: fn may run twice (db.Write).
		fmt.Printf("added %s (%s), id %s\n", u.Username, u.Role, u.ID)
		return nil
	case "list":
		if *inst == "" {
			return usagef("user list needs --institution")
		}
		return d.Read(ctx, *inst, func(tx *db.Tx) error {
			us, err := access.ListUsers(ctx, tx, *inst)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "USERNAME\tROLE\tTOTP\tSTATE\tNAME")
			for _, u := range us {
				state := "active"
				if u.Disabled {
					state = "disabled"
				}
				fmt.Fprintf(w, "%s\t%s\t%v\t%s\t%s\n", u.Username, u.Role, u.TOTPEnabled, state, u.DisplayName)
			}
			return w.Flush()
		})
	}
	// disable, enable, reset-password take a username.
	if fs.NArg() != 1 {
		return usagef("user %s needs one USERNAME", sub)
	}
	// Standard input is read once, before the transaction: fn may run
	// twice (db.Write), and no write lock is held while waiting for it.
	var pw string
	if sub == "reset-password" {
		if pw, err = readPassword("new password for " + fs.Arg(0)); err != nil {
			return err
		}
	}
	var who string
	err = d.Write(ctx, db.System, func(tx *db.Tx) error {
		u, err := access.GetUserByName(ctx, tx, fs.Arg(0))
		if errors.Is(err, access.ErrNotFound) {
			return usagef("no user %q", fs.Arg(0))
		} else if err != nil {
			return err
		}
		who = u.Username
		switch sub {
		case "disable", "enable":
			if err := access.SetDisabled(ctx, tx, u.InstitutionID, u.ID, sub == "disable"); err != nil {
				return err
			}
		case "reset-password":
			if err := access.SetPassword(ctx, tx, u.InstitutionID, u.ID, u.Username, pw); err != nil {
				if errors.Is(err, access.ErrNotFound) {
					return err
				}
				return usagef("%v", err)
			}
		}
		return rec(tx, u.InstitutionID, "user."+sub, u.ID)
	})
	if err != nil {
		return err
	}
	// Printed once committed: fn may run twice (db.Write).
	switch sub {
	case "disable", "enable":
		fmt.Printf("%sd %s\n", sub, who)
	case "reset-password":
		fmt.Printf("password of %s reset; its sessions have ended\n", who)
	}
	return nil
}

// readPassword reads one line from standard input, so that passwords never
// appear in the process list or shell history.
func readPassword(what string) (string, error) {
	if fi, err := os.Stdin.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		fmt.Fprintf(os.Stderr, "%s (input is shown; pipe it in to avoid that): ", what)
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", usagef("no %s on standard input", what)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func osUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}

func institutionCmd(ctx context.Context, args []string) error {
	const syn = "institution add --name NAME --country ISO3 | institution list   [--db URL] [--data DIR]"
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := newFlags("institution", syn)
		if err := parse(fs, args); err != nil {
			return err
		}
		return usagef("missing subcommand: add or list")
	}
	sub := args[0]
	fs := newFlags("institution "+sub, syn)
	sf := addStoreFlags(fs)
	name := fs.String("name", "", "institution name (add)")
	country := fs.String("country", "", "ISO 3166-1 alpha-3 code of the State it monitors (add)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if sub != "add" && sub != "list" {
		return usagef("unknown subcommand %q: want add or list", sub)
	}
	d, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	if sub == "add" {
		var in access.Institution
		err := d.Write(ctx, db.System, func(tx *db.Tx) error {
			var err error
			if in, err = access.CreateInstitution(ctx, tx, *name, *country); err != nil {
				return usagef("%v", err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		// Printed once committed: fn may run twice (db.Write).
		fmt.Printf("added %s, id %s\n", in.Name, in.ID)
		return nil
	}
	return d.Read(ctx, db.System, func(tx *db.Tx) error {
		ins, err := access.ListInstitutions(ctx, tx)
		if err != nil {
			return err
		}
		for _, in := range ins {
			fmt.Printf("%s\t%s\t%s\n", in.ID, in.CountryCode, in.Name)
		}
		return nil
	})
}
