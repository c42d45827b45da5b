// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/procedo/procedo"
)

type catalogueCategory struct {
	Name     string
	URL      string
	Count    int
	Selected bool
}

type procedureCataloguePage struct {
	Query      string
	Category   string
	Categories []catalogueCategory
	Results    []*procedo.ProcedureVersion
	Total      int // services offered, before filtering
}

// handleProcedureCatalogue is the catalogue of services with a text search
// and the categories (GET /servizi?q=&categoria=).
func (h *Handler) handleProcedureCatalogue(w http.ResponseWriter, r *http.Request) error {
	versions, err := h.Procedures.FindPublishedProcedures(r.Context())
	if err != nil {
		return err
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len([]rune(q)) > 100 {
		q = string([]rune(q)[:100])
	}
	data := &procedureCataloguePage{Query: q, Category: r.URL.Query().Get("categoria"), Total: len(versions)}
	counts := map[string]int{}
	words := strings.Fields(foldText(q))
	for _, v := range versions {
		cat := categoryOf(&v.Definition)
		counts[cat]++
		if data.Category != "" && cat != data.Category {
			continue
		}
		if !matchesAll(&v.Definition, words) {
			continue
		}
		data.Results = append(data.Results, v)
	}
	for name, n := range counts {
		data.Categories = append(data.Categories, catalogueCategory{Name: name, Count: n, Selected: name == data.Category,
			URL: "/servizi?categoria=" + url.QueryEscape(name)})
	}
	sort.Slice(data.Categories, func(i, j int) bool { return data.Categories[i].Name < data.Categories[j].Name })
	title := "Catalogo dei servizi"
	if q != "" || data.Category != "" {
		title = "Ricerca nel catalogo dei servizi"
	}
	h.render(w, r, http.StatusOK, "procedure_catalogue", &page{Title: title,
		Breadcrumbs: []crumb{{"Servizi", "/"}, {"Catalogo", ""}}, Data: data})
	return nil
}

func categoryOf(d *procedo.ProcedureDefinition) string {
	if d.Category == "" {
		return "Altri servizi"
	}
	return d.Category
}

// foldText lower-cases s and removes the accents of Italian letters, for
// matching what people type against titles.
func foldText(s string) string {
	return strings.NewReplacer("à", "a", "è", "e", "é", "e", "ì", "i", "ò", "o", "ù", "u", "’", "'").Replace(strings.ToLower(s))
}

// matchesAll reports whether every word occurs in the model's title, summary,
// description, category or audience.
func matchesAll(d *procedo.ProcedureDefinition, words []string) bool {
	text := foldText(strings.Join([]string{d.Title, d.Summary, d.Description, d.Category, d.Audience, d.ID}, " "))
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}
