// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/library"
	"github.com/procedo/procedo/sqlstore"
)

// runModel dispatches `procedo model validate|import|export`.
func (m *Main) runModel(ctx context.Context, cfg Config, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "validate":
			return m.runModelValidate(args[1:])
		case "import":
			return m.runModelImport(ctx, cfg, args[1:])
		case "export":
			return m.runModelExport(ctx, cfg, args[1:])
		}
	}
	fmt.Fprint(m.Stderr, usage)
	return &exitError{2, errors.New("model: use validate, import or export")}
}

// parseInterspersed parses flags that may come after positional arguments
// (`export --tenant T ID --version 2`) and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// readModelFile reads FILE, or standard input for "-".
func (m *Main) readModelFile(name string) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = m.Stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	return io.ReadAll(io.LimitReader(r, library.MaxModelSize+1))
}

// runModelValidate implements `procedo model validate FILE…`: every problem
// as FILE:LINE: PATH: message on standard output, exit 1 if any.
func (m *Main) runModelValidate(args []string) error {
	fs := m.flags("model validate")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return &exitError{2, errors.New("model validate: indicate at least one FILE")}
	}
	problems := 0
	for _, name := range files {
		b, err := m.readModelFile(name)
		if err != nil {
			fmt.Fprintf(m.Stdout, "%s:0: file non leggibile: %v\n", name, err)
			problems++
			continue
		}
		defs, err := library.ParseModels(name, b)
		var ps procedo.ModelProblems
		switch {
		case errors.As(err, &ps):
			for _, p := range ps {
				fmt.Fprintln(m.Stdout, p.String())
			}
			problems += len(ps)
		case err != nil:
			return err
		default:
			fmt.Fprintf(m.Stdout, "%s: ok (%d %s)\n", name, len(defs), plural(len(defs), "modello", "modelli"))
		}
	}
	if problems > 0 {
		return &exitError{1, fmt.Errorf("model validate: %d %s", problems, plural(problems, "problema", "problemi"))}
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// runModelImport implements `procedo model import --tenant SLUG FILE`: the
// models of FILE (one model or a package) become drafts of the tenant, or are
// published at once with --publish. A bad package is refused whole.
func (m *Main) runModelImport(ctx context.Context, cfg Config, args []string) error {
	fs := m.flags("model import")
	var tenant string
	var publish, dryRun bool
	fs.StringVar(&tenant, "tenant", "", "tenant slug")
	fs.BoolVar(&publish, "publish", false, "publish the imported drafts at once (their offices must exist)")
	fs.BoolVar(&dryRun, "dry-run", false, "only show what would be imported")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := requireFlags(fs, "tenant"); err != nil {
		return err
	}
	if len(files) != 1 {
		return &exitError{2, errors.New("model import: indicate one FILE (- for standard input)")}
	}
	b, err := m.readModelFile(files[0])
	if err != nil {
		return err
	}
	defs, err := library.ParseModels(files[0], b)
	if err != nil {
		var ps procedo.ModelProblems
		if errors.As(err, &ps) {
			for _, p := range ps {
				fmt.Fprintln(m.Stderr, p.String())
			}
			return &exitError{1, fmt.Errorf("model import: %s refused, %d %s", files[0], len(ps), plural(len(ps), "problema", "problemi"))}
		}
		return err
	}
	return m.withStore(ctx, cfg, func(db *sqlstore.DB) error {
		tctx, t, err := tenantContext(ctx, db, tenant)
		if err != nil {
			return err
		}
		procs := sqlstore.NewProcedureService(db)
		plan, err := procs.ImportProcedures(tctx, defs, dryRun)
		if err != nil {
			if fe := procedo.FieldErrorsOf(err); fe != nil {
				for _, k := range sortedFieldKeys(fe) {
					fmt.Fprintf(m.Stderr, "%s: %s: %s\n", files[0], k, fe[k])
				}
				return &exitError{1, fmt.Errorf("model import: %s refused", files[0])}
			}
			return err
		}
		for _, it := range plan.Items {
			fmt.Fprintf(m.Stdout, "%s (modello %s): %s", it.Definition.ID, it.Definition.ModelVersion, it.Action.Label())
			if it.Action != procedo.ImportUnchanged {
				fmt.Fprintf(m.Stdout, ", versione %d", it.Version)
			}
			if it.Current != nil && it.Action == procedo.ImportUpdate {
				fmt.Fprintf(m.Stdout, ", %d %s rispetto alla versione %d", len(it.Changes), plural(len(it.Changes), "differenza", "differenze"), it.Current.Version)
			}
			fmt.Fprintln(m.Stdout)
			for _, l := range it.Localise {
				fmt.Fprintln(m.Stdout, "  da localizzare:", l)
			}
			if publish && !dryRun && it.Draft != nil {
				if _, err := procs.PublishDraft(tctx, it.Draft.ID); err != nil {
					return fmt.Errorf("%s: %s", it.Definition.ID, errorText(err))
				}
				fmt.Fprintf(m.Stdout, "  pubblicata la versione %d\n", it.Draft.Version)
			}
		}
		if dryRun {
			fmt.Fprintf(m.Stdout, "prova: nulla è stato importato in %s\n", t.Slug)
		}
		return nil
	})
}

func sortedFieldKeys(fe procedo.FieldErrors) []string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// runModelExport implements `procedo model export --tenant SLUG ID… [--version N]`:
// the newest published version (or version N) as YAML on standard output; several
// identifiers make a package.
func (m *Main) runModelExport(ctx context.Context, cfg Config, args []string) error {
	fs := m.flags("model export")
	var tenant string
	var version int
	fs.StringVar(&tenant, "tenant", "", "tenant slug")
	fs.IntVar(&version, "version", 0, "version number (default: the newest published)")
	ids, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := requireFlags(fs, "tenant"); err != nil {
		return err
	}
	if len(ids) == 0 {
		return &exitError{2, errors.New("model export: indicate the identifier of at least one procedure")}
	}
	if version != 0 && len(ids) > 1 {
		return &exitError{2, errors.New("model export: --version applies to one procedure")}
	}
	return m.withStore(ctx, cfg, func(db *sqlstore.DB) error {
		tctx, _, err := tenantContext(ctx, db, tenant)
		if err != nil {
			return err
		}
		procs := sqlstore.NewProcedureService(db)
		var defs []*procedo.ProcedureDefinition
		var source string
		for _, id := range ids {
			var v *procedo.ProcedureVersion
			if version != 0 {
				v, err = procs.FindProcedureVersion(tctx, id, version)
			} else {
				v, err = procs.FindPublishedProcedure(tctx, id)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", id+versionSuffix(version), err)
			}
			defs = append(defs, &v.Definition)
			source = v.Source
		}
		if len(defs) == 1 && source != "" {
			// Keep the comments and layout the model was written with.
			_, err = io.WriteString(m.Stdout, source)
			return err
		}
		b, err := library.FormatModels(defs...)
		if err != nil {
			return err
		}
		_, err = m.Stdout.Write(b)
		return err
	})
}

func versionSuffix(n int) string {
	if n == 0 {
		return ""
	}
	return " versione " + strconv.Itoa(n)
}
