// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

// Command procedo runs the procedo server and its maintenance commands. It reads
// PROCEDO_* configuration, wires the packages together and exits non-zero on
// failure, with the error on stderr. See DESIGN.md for the command contract.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // Europe/Rome must load even on hosts without tzdata

	"github.com/procedo/procedo"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "procedo:", errorText(err))
		}
		os.Exit(exitCode(err))
	}
}

// Main runs one command with its own streams and environment (tests call it).
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Ready, if set, receives the server's address once it listens (tests).
	Ready func(addr string)
}

// exitError carries a specific exit status.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

// errorText returns the message for the terminal: the user-safe message of a
// procedo error, with field details.
func errorText(err error) string {
	if fe := procedo.FieldErrorsOf(err); fe != nil {
		var parts []string
		for k, v := range fe {
			parts = append(parts, k+": "+v)
		}
		return strings.Join(parts, "; ")
	}
	var pe *procedo.Error
	if errors.As(err, &pe) && pe.Code != procedo.EINTERNAL && pe.Message != "" {
		return pe.Message
	}
	return err.Error()
}

const usage = `procedo: administrative procedures, fully digital.

Usage:
  procedo serve [--addr HOST:PORT]
  procedo demo [--addr HOST:PORT] [--data DIR]
  procedo migrate
  procedo tenant create --slug SLUG --name NAME [--ipa CODE] [--host HOST]… [--patron MM-DD]
  procedo user create --tenant SLUG --username U --role R[,R…] [--office CODE] [--name NAME] [--email E] --password-stdin
  procedo token create --tenant SLUG --user U
  procedo identity add --tenant SLUG --id ID --kind oidc|saml --label LABEL [--config FILE|-] [--key-file F]
                   [--certificate-file F] [--idp-metadata-file F] [--idp-metadata-signer-file F] [--disabled]
  procedo identity list --tenant SLUG
  procedo identity update --tenant SLUG --id ID [--label L] [--config FILE|-] [--enabled true|false] [--…-file F]
  procedo model validate FILE…
  procedo model import --tenant SLUG FILE [--publish] [--dry-run]
  procedo model export --tenant SLUG ID… [--version N]
  procedo verify [--tenant SLUG]
  procedo bench registrations [--clients C] [--count N] [--with-file]
  procedo bench generate [--registrations N]      (into PROCEDO_DB, tenant "bench")
  procedo bench search [--rounds N]
  procedo deadline --from DATE --days N [--suspend FROM:TO]… [--tenant SLUG]
  procedo version

Configuration: PROCEDO_DB (sqlite:PATH or postgres://…), PROCEDO_BLOBS (file:PATH or s3://…),
PROCEDO_ADDR, PROCEDO_BASE_URL, PROCEDO_SMTP_URL, PROCEDO_MAIL_FROM, PROCEDO_LOG_FORMAT.
`

// Run dispatches args to a command.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return &exitError{2, errors.New("no command")}
	}
	cfg := DefaultConfig()
	if err := cfg.FromEnv(m.Getenv); err != nil {
		return err
	}
	cmd, rest := args[0], args[1:]
	sub := func() (string, []string) {
		if len(rest) == 0 {
			return "", nil
		}
		return rest[0], rest[1:]
	}
	switch cmd {
	case "serve":
		return m.runServe(ctx, cfg, rest)
	case "demo":
		return m.runDemo(ctx, cfg, rest)
	case "migrate":
		return m.runMigrate(ctx, cfg, rest)
	case "tenant":
		if s, r := sub(); s == "create" {
			return m.runTenantCreate(ctx, cfg, r)
		}
	case "user":
		if s, r := sub(); s == "create" {
			return m.runUserCreate(ctx, cfg, r)
		}
	case "token":
		if s, r := sub(); s == "create" {
			return m.runTokenCreate(ctx, cfg, r)
		}
	case "identity":
		return m.runIdentity(ctx, cfg, rest)
	case "deadline":
		return m.runDeadline(ctx, cfg, rest)
	case "model":
		return m.runModel(ctx, cfg, rest)
	case "verify":
		return m.runVerify(ctx, cfg, rest)
	case "bench":
		return m.runBench(ctx, cfg, rest)
	case "version":
		fmt.Fprintln(m.Stdout, "procedo", procedo.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return nil
	}
	fmt.Fprint(m.Stderr, usage)
	return &exitError{2, fmt.Errorf("unknown command %q", strings.Join(args[:min(2, len(args))], " "))}
}

func (m *Main) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("procedo "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	return fs
}

func (m *Main) logger(cfg Config) *slog.Logger {
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(m.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(m.Stderr, opts))
}

// runServe runs the server.
func (m *Main) runServe(ctx context.Context, cfg Config, args []string) error {
	fs := m.flags("serve")
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address HOST:PORT")
	fs.StringVar(&cfg.DB, "db", cfg.DB, "database (PROCEDO_DB)")
	fs.StringVar(&cfg.Blobs, "blobs", cfg.Blobs, "document store (PROCEDO_BLOBS)")
	fs.IntVar(&cfg.DraftDays, "draft-days", cfg.DraftDays, "days an application draft is kept after its last save (PROCEDO_DRAFT_DAYS)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return m.serve(ctx, cfg, nil)
}

// serve opens the app, runs setup (the demo seeding) and serves until ctx ends.
func (m *Main) serve(ctx context.Context, cfg Config, setup func(context.Context, *App) error) error {
	logger := m.logger(cfg)
	app, err := NewApp(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer app.Close()
	if setup != nil {
		if err := setup(ctx, app); err != nil {
			return err
		}
	}
	if err := app.Server.Listen(cfg.Addr); err != nil {
		return err
	}
	logger.Info("procedo listening", "addr", app.Server.Addr(), "version", procedo.Version, "demo", cfg.Demo,
		"dialect", app.DB.Dialect())
	if m.Ready != nil {
		m.Ready(app.Server.Addr())
	}
	return app.Run(ctx)
}

// runMigrate applies the migrations and exits.
func (m *Main) runMigrate(ctx context.Context, cfg Config, args []string) error {
	fs := m.flags("migrate")
	fs.StringVar(&cfg.DB, "db", cfg.DB, "database (PROCEDO_DB)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, blobs, err := openStore(ctx, cfg, m.logger(cfg))
	if err != nil {
		return err
	}
	defer blobs.Close()
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "schema version %d (%s)\n", v, db.Dialect())
	return nil
}
