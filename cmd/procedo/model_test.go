// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/procedo/procedo/library"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCLI_ModelValidate(t *testing.T) {
	good, err := library.Source("deroga-rumore.yaml")
	if err != nil {
		t.Fatal(err)
	}
	goodFile := writeFile(t, "deroga-rumore.yaml", string(good))
	bad := strings.Replace(strings.Replace(string(good), "term_days: 30", "term_days: trenta", 1), "type: email", "type: posta", 1)
	badFile := writeFile(t, "rotto.yaml", bad)
	line := func(s, sub string) string {
		for i, l := range strings.Split(s, "\n") {
			if strings.Contains(l, sub) {
				return strconv.Itoa(i + 1)
			}
		}
		return "?"
	}

	out, _, code := runCLI(t, nil, "", "model", "validate", goodFile)
	if code != 0 || !strings.Contains(out, "deroga-rumore.yaml: ok (1 modello)") {
		t.Fatalf("good file: %d %q", code, out)
	}
	out, errOut, code := runCLI(t, nil, "", "model", "validate", goodFile, badFile)
	if code != 1 || !strings.Contains(errOut, "1 problema") {
		t.Fatalf("bad file: exit %d, stderr %q", code, errOut)
	}
	want := badFile + ":" + line(bad, "term_days: trenta") + ": term_days: atteso un numero intero"
	if !strings.Contains(out, want) {
		t.Errorf("stdout %q lacks %q", out, want)
	}
	// Once the types are right, the rule problems are reported, each with its line.
	bad = strings.Replace(bad, "term_days: trenta", "term_days: 0", 1)
	badFile = writeFile(t, "rotto.yaml", bad)
	out, _, code = runCLI(t, nil, "", "model", "validate", badFile)
	for _, w := range []string{
		badFile + ":" + line(bad, "term_days: 0") + ": term_days: il termine deve essere tra 1 e 3650 giorni",
		badFile + ":" + line(bad, "type: posta") + ": form.sections[0].fields[0].type: tipo di campo sconosciuto",
	} {
		if code != 1 || !strings.Contains(out, w) {
			t.Errorf("exit %d, stdout %q lacks %q", code, out, w)
		}
	}
	if _, _, code := runCLI(t, nil, "", "model", "validate"); code != 2 {
		t.Errorf("no file: exit %d", code)
	}
	if out, _, code := runCLI(t, nil, "", "model", "validate", filepath.Join(t.TempDir(), "nessuno.yaml")); code != 1 || !strings.Contains(out, "file non leggibile") {
		t.Errorf("missing file: %d %q", code, out)
	}
}

func TestCLI_ModelImportExport(t *testing.T) {
	env := cliEnv(t)
	if _, errOut, code := runCLI(t, env, "", "tenant", "create", "--slug", "comune-prova", "--name", "Comune di Prova"); code != 0 {
		t.Fatal(errOut)
	}
	defs, err := library.Models()
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := library.FormatModels(defs...)
	if err != nil {
		t.Fatal(err)
	}
	pkgFile := writeFile(t, "libreria.yaml", string(pkg))

	out, _, code := runCLI(t, env, "", "model", "import", "--tenant", "comune-prova", "--dry-run", pkgFile)
	if code != 0 || !strings.Contains(out, "accesso-documentale (modello 1.1): Nuovo procedimento (bozza), versione 1") ||
		!strings.Contains(out, "da localizzare: L'ufficio responsabile «SEGR» non esiste") || !strings.Contains(out, "nulla è stato importato") {
		t.Fatalf("dry run: %d\n%s", code, out)
	}
	// A package with one bad model is refused whole.
	bad := strings.Replace(string(pkg), "term_days: 30", "term_days: -1", 1)
	out, errOut, code := runCLI(t, env, "", "model", "import", "--tenant", "comune-prova", writeFile(t, "rotto.yaml", bad))
	if code != 1 || !strings.Contains(errOut, "models[0].term_days: il termine") || !strings.Contains(errOut, "refused") {
		t.Fatalf("bad package: %d %q %q", code, out, errOut)
	}
	out, errOut, code = runCLI(t, env, "", "model", "import", "--tenant", "comune-prova", pkgFile)
	if code != 0 || strings.Count(out, "Nuovo procedimento (bozza), versione 1") != len(defs) {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	// Drafts are not exported by default: only published versions.
	if _, errOut, code := runCLI(t, env, "", "model", "export", "--tenant", "comune-prova", "deroga-rumore"); code != 1 || !strings.Contains(errOut, "non trovato") {
		t.Errorf("export of a draft: %d %q", code, errOut)
	}
	out, errOut, code = runCLI(t, env, "", "model", "export", "--tenant", "comune-prova", "deroga-rumore", "--version", "1")
	if code != 0 || !strings.HasPrefix(out, "# Modello di procedimento procedo") {
		t.Fatalf("export: %d %q", code, errOut)
	}
	back, err := library.Parse("export.yaml", []byte(out))
	if err != nil || back.ID != "deroga-rumore" {
		t.Fatalf("exported model: %v", err)
	}
	out, _, code = runCLI(t, env, "", "model", "export", "--tenant", "comune-prova", "nessuno")
	if code != 1 {
		t.Errorf("unknown model: %d %q", code, out)
	}
	// Publishing needs the model's office.
	one, _ := library.Source("segnalazione-reclamo.yaml")
	one = []byte(strings.Replace(string(one), `version: "1.0"`, `version: "1.1"`, 1))
	_, errOut, code = runCLI(t, env, "", "model", "import", "--tenant", "comune-prova", "--publish", writeFile(t, "s.yaml", string(one)))
	if code != 1 || !strings.Contains(errOut, "bozza") {
		t.Errorf("import over a draft: %d %q", code, errOut)
	}
}
