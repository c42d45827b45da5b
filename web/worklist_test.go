// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/url"
	"testing"
)

// FuzzParseWorklistQuery: any query string parses without panicking, a
// parsed query written back into a URL parses to the same query, and what
// it writes carries no parameter it refused.
func FuzzParseWorklistQuery(f *testing.F) {
	for _, seed := range []string{"", "vista=nuove", "vista=scadute&q=Rossi&ordine=scadenza&pagina=2", "stato=chiuse&fase=accepted",
		"ufficio=3&responsabile=7&procedimento=2", "vista=boh&ufficio=x&pagina=0", "q=%00%ff", "pagina=99999999999", "vista=&stato=tutte"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		w, fe := parseWorklistQuery(q)
		again, fe2 := parseWorklistQuery(w.values(w.View, w.Page))
		if len(fe2) != 0 {
			t.Fatalf("%q → %+v writes %q, refused: %v", raw, w, w.values(w.View, w.Page).Encode(), fe2)
		}
		if again != w {
			t.Fatalf("%q: %+v → %+v", raw, w, again)
		}
		if _, ok := viewParams[w.View]; !ok || (len(fe) == 0 && w.Page < 1) {
			t.Fatalf("%q: bad result %+v", raw, w)
		}
	})
}

func TestWorklistQuery_Filter(t *testing.T) {
	w, fe := parseWorklistQuery(url.Values{"vista": {"in-scadenza"}, "ordine": {"meno-recenti"}, "pagina": {"3"}, "stato": {"tutte"},
		"ufficio": {"4"}, "fase": {"suspended"}, "q": {" Rossi "}})
	if len(fe) != 0 {
		t.Fatal(fe)
	}
	f := w.filter()
	if f.Offset != 2*worklistPageSize || f.Limit != worklistPageSize || f.Open != nil || *f.OrgUnitID != 4 || string(*f.Status) != "suspended" ||
		f.Query != "Rossi" || f.Sort != "oldest" {
		t.Fatalf("%+v", f)
	}
	if viewParams[w.View] != "expiring" {
		t.Fatalf("view %q", w.View)
	}
}
