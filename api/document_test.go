// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/api"
	"github.com/procedo/procedo/sqlstore"
)

func TestDocument(t *testing.T) {
	f := newFixture(t)
	doc := delega(t, f.Read)
	sum, err := hex.DecodeString(doc.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(sum)
	meta := fmt.Sprintf("/api/v1/documents/%d", doc.ID)
	content := meta + "/content"
	f.run(t, []scenario{
		{name: "Operator", url: meta, token: "A.operator", status: 200,
			want: []string{fmt.Sprintf(`"id":%d`, doc.ID), `"filename":"delega.pdf"`, `"media_type":"application/pdf"`,
				fmt.Sprintf(`"size":%d`, doc.Size), `"sha256":"` + doc.SHA256 + `"`, `"kind":"attachment"`, `"created_at":"`}},
		{name: "Registry", url: meta, token: "A.registry", status: 200, want: []string{`"filename":"delega.pdf"`}},
		{name: "ErrNotFound", url: "/api/v1/documents/999999", token: "A.operator", status: 404, want: []string{`"code":"not_found"`}},
		{name: "ErrNotANumber", url: "/api/v1/documents/x", token: "A.operator", status: 404},
		{name: "Content", url: content, token: "A.operator", status: 200,
			want: []string{"%PDF-1.4\n% delega di prova\n"},
			headers: map[string]string{
				"Content-Type":           "application/pdf",
				"Content-Disposition":    `attachment; filename=delega.pdf`,
				"Repr-Digest":            "sha-256=:" + b64 + ":",
				"Digest":                 "sha-256=" + b64,
				"X-Content-Type-Options": "nosniff",
				"Content-Length":         fmt.Sprint(doc.Size),
				"ETag":                   doc.SHA256,
			}},
		{name: "ContentHead", method: "HEAD", url: content, token: "A.operator", status: 200,
			headers: map[string]string{"Repr-Digest": "sha-256=:" + b64 + ":", "Content-Type": "application/pdf"}},
		{name: "ErrContentNotFound", url: "/api/v1/documents/999999/content", token: "A.operator", status: 404,
			want: []string{`"code":"not_found"`}},
		{name: "ErrContentNoToken", url: content, status: 401},
	})
	t.Run("ContentMatchesDigest", func(t *testing.T) {
		rec := f.do(t, "GET", content, "", "A.manager", nil)
		got := sha256.Sum256(rec.Body.Bytes())
		if hex.EncodeToString(got[:]) != doc.SHA256 {
			t.Fatalf("content hash %x, want %s", got, doc.SHA256)
		}
	})
	t.Run("DownloadAudited", func(t *testing.T) {
		action := "document.download"
		evs, _, err := sqlstore.NewAuditService(f.env.DB).FindAuditEvents(f.env.A.AsUser(f.env.A.Admin), procedo.AuditFilter{Action: &action})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 2 || evs[0].ObjectID != fmt.Sprint(doc.ID) || evs[0].Actor != "user:dirigente" {
			t.Fatalf("audit events %+v", evs)
		}
	})
}

func TestContentDisposition(t *testing.T) {
	for _, tc := range []struct {
		name, filename, want string
	}{
		{"ASCII", "delega.pdf", "attachment; filename=delega.pdf"},
		{"Spaces", "la mia delega.pdf", `attachment; filename="la mia delega.pdf"`},
		{"NonASCII", "perché.pdf", "attachment; filename*=utf-8''perch%C3%A9.pdf"},
		{"Quotes", `a"b.pdf`, `attachment; filename="a\"b.pdf"`},
		{"Empty", "", "attachment; filename=documento-7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := api.ContentDisposition(tc.filename, 7); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
