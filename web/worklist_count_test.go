// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"strings"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/library"
)

// TestWorklist_SearchCountCapped: a search by words matching more cases than
// it counts (procedo.MaxCaseSearchCount) shows "più di" that many, in the tab
// and in the table's caption, and still lists the newest first.
func TestWorklist_SearchCountCapped(t *testing.T) {
	e := newCaseEnv(t)
	_, mgr, _, _, _, _, _, _ := e.who()
	defs, err := library.Models()
	if err != nil {
		t.Fatal(err)
	}
	// Nearly every generated subject names a street, "via …" or "viale …".
	if err := e.env.DB.GenerateCases(e.env.A.As(procedo.SystemActor), defs[:1], 1500, nil); err != nil {
		t.Fatal(err)
	}
	doc := want(t, newDesk(t, e.env, e.h, mgr).get("/ufficio?stato=tutte&q=via"), 200)
	wantText(t, doc, "main table caption", "più di 1000 pratiche")
	wantText(t, doc, "nav[aria-label='Elenchi di lavoro'] a[aria-current=page]", "Tutte più di 1000")
	if n := doc.Find("main table tbody tr").Length(); n != 50 {
		t.Fatalf("%d rows", n)
	}
	// Under the cap the count is exact.
	doc = want(t, newDesk(t, e.env, e.h, mgr).get("/ufficio?stato=tutte&q=via+roma"), 200)
	rows := doc.Find("main table tbody tr").Length()
	if caption := doc.Find("main table caption").Text(); rows == 0 || strings.Contains(caption, "più di") {
		t.Errorf("a search under the cap: caption %q, %d rows", caption, rows)
	}
}
