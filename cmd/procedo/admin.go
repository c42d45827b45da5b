// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
)

// multiFlag collects a repeatable flag.
type multiFlag []string

func (f *multiFlag) String() string     { return strings.Join(*f, ",") }
func (f *multiFlag) Set(v string) error { *f = append(*f, v); return nil }

// withStore opens the store for a maintenance command.
func (m *Main) withStore(ctx context.Context, cfg Config, fn func(db *sqlstore.DB) error) error {
	logger := m.logger(cfg)
	db, blobs, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer blobs.Close()
	defer db.Close()
	return fn(db)
}

func requireFlags(fs *flag.FlagSet, names ...string) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var missing []string
	for _, n := range names {
		if !set[n] {
			missing = append(missing, "--"+n)
		}
	}
	if len(missing) > 0 {
		return &exitError{2, fmt.Errorf("%s: missing %s", fs.Name(), strings.Join(missing, ", "))}
	}
	return nil
}

// runTenantCreate implements `procedo tenant create`.
func (m *Main) runTenantCreate(ctx context.Context, cfg Config, args []string) error {
	fs := m.flags("tenant create")
	var hosts multiFlag
	t := &procedo.Tenant{}
	fs.StringVar(&t.Slug, "slug", "", "short name, e.g. comune-di-esempio")
	fs.StringVar(&t.Name, "name", "", "official name, e.g. \"Comune di Esempio\"")
	fs.StringVar(&t.IPACode, "ipa", "", "IPA code of the administration")
	fs.StringVar(&t.PatronDay, "patron", "", "patron saint's day MM-DD (a local holiday)")
	fs.StringVar(&t.Email, "email", "", "institutional e-mail")
	fs.Var(&hosts, "host", "host name serving this tenant (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := requireFlags(fs, "slug", "name"); err != nil {
		return err
	}
	t.Hosts = hosts
	return m.withStore(ctx, cfg, func(db *sqlstore.DB) error {
		if err := sqlstore.NewTenantService(db).CreateTenant(ctx, t); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "created tenant %s (%s) with AOO, register PG and the default titolario\n", t.Slug, t.Name)
		return nil
	})
}

// tenantContext returns a system context in the tenant slug.
func tenantContext(ctx context.Context, db *sqlstore.DB, slug string) (context.Context, *procedo.Tenant, error) {
	t, err := sqlstore.NewTenantService(db).FindTenantBySlug(ctx, slug)
	if err != nil {
		return nil, nil, err
	}
	return procedo.NewContextWithActor(procedo.NewContextWithTenant(ctx, t), procedo.SystemActor), t, nil
}

// runUserCreate implements `procedo user create`.
func (m *Main) runUserCreate(ctx context.Context, cfg Config, args []string) error {
	fs := m.flags("user create")
	var tenant, roles, office string
	var stdin bool
	u := &procedo.User{}
	fs.StringVar(&tenant, "tenant", "", "tenant slug")
	fs.StringVar(&u.Username, "username", "", "login name")
	fs.StringVar(&roles, "role", "", "roles, comma-separated: admin, registry, records, operator, manager")
	fs.StringVar(&office, "office", "", "office code")
	fs.StringVar(&u.FullName, "name", "", "full name")
	fs.StringVar(&u.Email, "email", "", "e-mail")
	fs.BoolVar(&stdin, "password-stdin", false, "read the password from standard input")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := requireFlags(fs, "tenant", "username", "role", "password-stdin"); err != nil {
		return err
	}
	var err error
	if u.Roles, err = procedo.ParseRoles(roles); err != nil {
		return err
	}
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return errors.New("user create: no password on standard input")
	}
	password := strings.TrimRight(line, "\r\n")
	return m.withStore(ctx, cfg, func(db *sqlstore.DB) error {
		tctx, _, err := tenantContext(ctx, db, tenant)
		if err != nil {
			return err
		}
		if office != "" {
			ou, err := sqlstore.NewOrgUnitService(db).FindOrgUnitByCode(tctx, office)
			if err != nil {
				return err
			}
			u.OrgUnitID = &ou.ID
		}
		if err := sqlstore.NewUserService(db).CreateUser(tctx, u, password); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "created user %s in %s with roles %s\n", u.Username, tenant, procedo.FormatRoles(u.Roles))
		return nil
	})
}

// runTokenCreate implements `procedo token create`: the token alone on stdout.
func (m *Main) runTokenCreate(ctx context.Context, cfg Config, args []string) error {
	fs := m.flags("token create")
	var tenant, username, name string
	fs.StringVar(&tenant, "tenant", "", "tenant slug")
	fs.StringVar(&username, "user", "", "username")
	fs.StringVar(&name, "name", "cli", "a label for the token")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := requireFlags(fs, "tenant", "user"); err != nil {
		return err
	}
	return m.withStore(ctx, cfg, func(db *sqlstore.DB) error {
		tctx, _, err := tenantContext(ctx, db, tenant)
		if err != nil {
			return err
		}
		users := sqlstore.NewUserService(db)
		list, _, err := users.FindUsers(tctx, procedo.UserFilter{Username: &username, Limit: 1})
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return procedo.Errorf(procedo.ENOTFOUND, "Utente %q non trovato nell'ente %s.", username, tenant)
		}
		tok, err := users.CreateToken(tctx, list[0].ID, name)
		if err != nil {
			return err
		}
		fmt.Fprintln(m.Stdout, tok)
		return nil
	})
}

// runDeadline implements `procedo deadline`: the due date is the last line.
func (m *Main) runDeadline(ctx context.Context, cfg Config, args []string) error {
	fs := m.flags("deadline")
	var from, tenant string
	var days int
	var suspends multiFlag
	fs.StringVar(&from, "from", "", "start date YYYY-MM-DD (not counted)")
	fs.IntVar(&days, "days", 0, "term in calendar days")
	fs.Var(&suspends, "suspend", "FROM:TO, the clock stood still on both days and those between (repeatable)")
	fs.StringVar(&tenant, "tenant", "", "tenant slug, to add its patron saint's day")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := requireFlags(fs, "from", "days"); err != nil {
		return err
	}
	start, err := procedo.ParseDate(from)
	if err != nil {
		return err
	}
	if days <= 0 || days > 36500 {
		return errors.New("deadline: --days must be a positive number of days")
	}
	var ranges []procedo.DateRange
	for _, s := range suspends {
		a, b, ok := strings.Cut(s, ":")
		if !ok {
			return fmt.Errorf("deadline: --suspend %q: use FROM:TO", s)
		}
		f, err := procedo.ParseDate(a)
		if err != nil {
			return err
		}
		t, err := procedo.ParseDate(b)
		if err != nil {
			return err
		}
		if t.Before(f) {
			return fmt.Errorf("deadline: --suspend %q: TO is before FROM", s)
		}
		ranges = append(ranges, procedo.DateRange{From: f, To: t})
	}
	cal := procedo.Calendar{}
	if tenant != "" {
		if err := m.withStore(ctx, cfg, func(db *sqlstore.DB) error {
			t, err := sqlstore.NewTenantService(db).FindTenantBySlug(ctx, tenant)
			if err != nil {
				return err
			}
			cal.PatronDay = t.PatronDay
			return nil
		}); err != nil {
			return err
		}
	}
	st, err := procedo.ComputeWithSuspensions(start, days, cal, ranges...)
	if err != nil {
		return err
	}
	for _, line := range st.Explanation {
		fmt.Fprintln(m.Stdout, line)
	}
	due := st.Due
	fmt.Fprintln(m.Stdout, due)
	return nil
}
