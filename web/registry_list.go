// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/procedo/procedo"
)

// registryPageSize is how many registrations a search page lists.
const registryPageSize = 50

// registrySearch holds the search filters, as typed (query parameters).
type registrySearch struct {
	Year, Number, From, To, Direction, Query, Correspondent, Classification, Office, Annulled string
}

// registryListPage is the protocol register search.
type registryListPage struct {
	Search         registrySearch
	Errors         procedo.FieldErrors
	Summary        []fieldError
	Directions     selectView
	Classification selectView
	Office         selectView
	Annulled       selectView
	Rows           []registryRow
	Total          int
	Page, Pages    int
	PrevURL        string
	NextURL        string
	CanRegister    bool
	CanDaily       bool // sees the daily registers
	Searched       bool // a filter is set
}

// registryRow is one registration in the results.
type registryRow struct {
	*procedo.Registration
	URL            string
	Correspondents string
}

var registrySearchFields = []struct{ Key, Label string }{
	{"anno", "Anno"}, {"numero", "Numero"}, {"dal", "Dal giorno"}, {"al", "Al giorno"}, {"direzione", "Direzione"},
	{"ufficio", "Ufficio"}, {"annullate", "Annullate"}, {"pagina", "Pagina"},
}

// handleRegistryList searches the protocol register, newest first, 50 a page.
func (h *Handler) handleRegistryList(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	s := registrySearch{Year: q.Get("anno"), Number: q.Get("numero"), From: q.Get("dal"), To: q.Get("al"), Direction: q.Get("direzione"),
		Query: q.Get("oggetto"), Correspondent: q.Get("corrispondente"), Classification: q.Get("classificazione"),
		Office: q.Get("ufficio"), Annulled: q.Get("annullate")}
	f, pageNo, fe := parseRegistrySearch(&s, q.Get("pagina"))
	ctx := r.Context()
	t, err := h.loadTitolario(ctx)
	if err != nil {
		return err
	}
	units, err := h.OrgUnits.FindOrgUnits(ctx)
	if err != nil {
		return err
	}
	d := &registryListPage{Search: s, Errors: fe, Page: pageNo, CanRegister: u.HasRole(procedo.RoleRegistry) || u.HasRole(procedo.RoleAdmin),
		Directions: selectView{ID: "f-direzione", Name: "direzione", Label: "Direzione", Empty: "Tutte", Selected: s.Direction,
			Options: []option{{"E", procedo.DirectionIncoming.Label()}, {"U", procedo.DirectionOutgoing.Label()}, {"I", procedo.DirectionInternal.Label()}},
			Error:   fe["direzione"]},
		Classification: selectView{ID: "f-classificazione", Name: "classificazione", Label: "Classificazione", Empty: "Tutte",
			Selected: s.Classification, Groups: t.Groups, Hint: "Un titolo comprende le sue classi."},
		Office: selectView{ID: "f-ufficio", Name: "ufficio", Label: "Ufficio assegnatario", Empty: "Tutti", Selected: s.Office,
			Options: officeOptions(units), Error: fe["ufficio"]},
		Annulled: selectView{ID: "f-annullate", Name: "annullate", Label: "Registrazioni annullate", Empty: "Incluse", Selected: s.Annulled,
			Options: []option{{"no", "Escluse"}, {"si", "Solo annullate"}}, Error: fe["annullate"]},
	}
	d.CanDaily = slices.ContainsFunc(deskRoles, u.HasRole)
	d.Searched = s != registrySearch{}
	for _, fl := range registrySearchFields {
		if msg, ok := fe[fl.Key]; ok {
			d.Summary = append(d.Summary, fieldError{fl.Key, fl.Label, msg})
		}
	}
	status := http.StatusOK
	if len(fe) > 0 {
		status = http.StatusUnprocessableEntity
	} else {
		f.Offset, f.Limit = (pageNo-1)*registryPageSize, registryPageSize
		regs, total, err := h.Registrations.FindRegistrations(ctx, f)
		if err != nil {
			return err
		}
		d.Total, d.Pages = total, max(1, (total+registryPageSize-1)/registryPageSize)
		for _, reg := range regs {
			names := make([]string, len(reg.Correspondents))
			for i, c := range reg.Correspondents {
				names[i] = c.Name
			}
			d.Rows = append(d.Rows, registryRow{reg, registrationURL(reg), strings.Join(names, "; ")})
		}
		link := func(p int) string {
			v := url.Values{}
			for k, vs := range q {
				if k != "pagina" && len(vs) > 0 && vs[0] != "" {
					v.Set(k, vs[0])
				}
			}
			if p > 1 {
				v.Set("pagina", strconv.Itoa(p))
			}
			if len(v) == 0 {
				return "/ufficio/protocollo"
			}
			return "/ufficio/protocollo?" + v.Encode()
		}
		if pageNo > 1 {
			d.PrevURL = link(pageNo - 1)
		}
		if pageNo < d.Pages {
			d.NextURL = link(pageNo + 1)
		}
	}
	title := "Registro di protocollo"
	if status != http.StatusOK {
		title = "Errori: " + title
	} else if pageNo > 1 {
		title += " – pagina " + strconv.Itoa(pageNo)
	}
	h.render(w, r, status, "registry_list", &page{Title: title, Section: "office", Breadcrumbs: []crumb{{"Protocollo", ""}}, Data: d})
	return nil
}

// parseRegistrySearch turns the typed filters into a filter, with the errors
// of values that do not parse.
func parseRegistrySearch(s *registrySearch, pageParam string) (procedo.RegistrationFilter, int, procedo.FieldErrors) {
	var f procedo.RegistrationFilter
	fe := procedo.FieldErrors{}
	for _, p := range []*string{&s.Year, &s.Number, &s.From, &s.To, &s.Direction, &s.Query, &s.Correspondent, &s.Classification, &s.Office, &s.Annulled} {
		*p = strings.TrimSpace(*p)
	}
	num := func(key, v string, min int) *int {
		if v == "" {
			return nil
		}
		n, err := strconv.Atoi(v) // "0000042" is 42
		if err != nil || n < min {
			fe.Add(key, "Indica un numero intero positivo.")
			return nil
		}
		return &n
	}
	f.Year = num("anno", s.Year, 1)
	f.Number = num("numero", s.Number, 1)
	date := func(key, v string) *procedo.Date {
		if v == "" {
			return nil
		}
		d, err := procedo.ParseDate(v)
		if err != nil {
			fe.Add(key, "Indica la data nel formato gg/mm/aaaa.")
			return nil
		}
		return &d
	}
	f.From, f.To = date("dal", s.From), date("al", s.To)
	if f.From != nil && f.To != nil && f.To.Before(*f.From) {
		fe.Add("al", "La data finale precede quella iniziale.")
	}
	switch d := procedo.Direction(s.Direction); d {
	case "":
	case procedo.DirectionIncoming, procedo.DirectionOutgoing, procedo.DirectionInternal:
		f.Direction = &d
	default:
		fe.Add("direzione", "Direzione sconosciuta.")
	}
	f.Query, f.Correspondent = s.Query, s.Correspondent
	if s.Classification != "" {
		f.Classification = &s.Classification
	}
	if s.Office != "" {
		id, err := strconv.ParseInt(s.Office, 10, 64)
		if err != nil || id <= 0 {
			fe.Add("ufficio", "Ufficio sconosciuto.")
		} else {
			f.OrgUnitID = &id
		}
	}
	switch s.Annulled {
	case "":
	case "si", "no":
		v := s.Annulled == "si"
		f.Annulled = &v
	default:
		fe.Add("annullate", "Scegli se includere le registrazioni annullate.")
	}
	pageNo := 1
	if pageParam != "" {
		n, err := strconv.Atoi(pageParam)
		if err != nil || n < 1 || n > 100000 {
			fe.Add("pagina", "Pagina inesistente.")
		} else {
			pageNo = n
		}
	}
	return f, pageNo, fe
}
