// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// opensslSign signs content as a CAdES-style attached envelope (.p7m, DER)
// with a throw-away certificate made by openssl, as an Italian signing
// application would. It skips the test without openssl.
func opensslSign(t *testing.T, content []byte) []byte {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	in := filepath.Join(dir, "domanda.pdf")
	if err := os.WriteFile(in, content, 0o600); err != nil {
		t.Fatal(err)
	}
	run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-keyout", filepath.Join(dir, "key.pem"),
		"-out", filepath.Join(dir, "cert.pem"), "-subj", "/C=IT/GN=Mario/SN=Rossi/CN=Mario Rossi/serialNumber=TINIT-RSSMRA80A01H501U",
		"-addext", "keyUsage=critical,nonRepudiation")
	run("cms", "-sign", "-binary", "-nodetach", "-cades", "-outform", "DER", "-in", in, "-signer", filepath.Join(dir, "cert.pem"),
		"-inkey", filepath.Join(dir, "key.pem"), "-out", in+".p7m")
	p7m, err := os.ReadFile(in + ".p7m")
	if err != nil {
		t.Fatal(err)
	}
	return p7m
}

func TestApply_SignedFiles(t *testing.T) {
	p7m := opensslSign(t, pdfFile)
	env := testkit.NewEnv(t)
	h := newHandler(env, true)
	mario := newDesk(t, env, h, actor{"Mario", env.A, nil, testkit.Mario})
	draft := startApplication(t, mario, "accesso-documentale")
	step(t, mario, draft, "richiedente", url.Values{"applicant.email": {"mario@example.it"}}, "avanti", "sezione-1")
	step(t, mario, draft, "sezione-1", url.Values{"email": {"mario@example.it"}}, "avanti", "sezione-2")
	step(t, mario, draft, "sezione-2", url.Values{"oggetto": {"Permesso di costruire n. 12/2024"},
		"motivazione": {"Sono il confinante."}, "modalita": {"copia-semplice"}, "consegna": {"email"}}, "avanti", "allegati")

	// A .p7m whose content was changed after signing is refused, saying why.
	tampered := bytes.Replace(p7m, []byte("%PDF-"), []byte("%PDF_"), 1)
	doc := want(t, mario.postMultipart(draft+"/allegati", url.Values{"azione": {"carica"}},
		file{"documentazione", "delega.pdf.p7m", tampered}), http.StatusUnprocessableEntity)
	wantText(t, doc, "#errori", "modificato dopo la firma")
	doc = want(t, mario.postMultipart(draft+"/allegati", url.Values{"azione": {"carica"}},
		file{"documentazione", "delega.pdf.p7m", []byte("0\x82 non una firma")}), http.StatusUnprocessableEntity)
	wantText(t, doc, "#errori", "non è una firma digitale leggibile")

	// A valid signature is kept as it is, with its signer shown.
	location(t, mario.postMultipart(draft+"/allegati", url.Values{"azione": {"carica"}}, file{"documentazione", "delega.pdf.p7m", p7m}),
		draft+"/allegati", false)
	doc = want(t, mario.get(draft+"/allegati"), http.StatusOK)
	wantText(t, doc, "#f-documentazione-allegato", "delega.pdf.p7m", "Firmato digitalmente (CAdES) da Mario Rossi (RSSMRA80A01H501U)")
	location(t, mario.postMultipart(draft+"/allegati", url.Values{"azione": {"avanti"}}), draft+"/riepilogo", false)
	loc := location(t, mario.post(draft+"/invia", nil), "/pratiche/", true)
	id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(loc, "/pratiche/"), "/ricevuta"), 10, 64)
	if err != nil {
		t.Fatal(loc, err)
	}
	docs, err := sqlstore.NewCaseService(env.DB).FindCaseDocuments(env.A.AsCitizen(testkit.Mario), id)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range docs {
		if d.Filename == "delega.pdf.p7m" {
			found = true
			if want := "Delega o documentazione a supporto — Firmato digitalmente (CAdES) da Mario Rossi (RSSMRA80A01H501U)"; !strings.HasPrefix(d.Description, want) {
				t.Errorf("document description %q", d.Description)
			}
		}
	}
	if !found {
		t.Errorf("the signed file is not among the case documents: %+v", docs)
	}
}
