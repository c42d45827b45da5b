// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"

	"github.com/procedo/procedo"
)

// modelsPath is the root of the administration of procedure models.
const modelsPath = "/ufficio/admin/procedimenti"

var modelsCrumb = crumb{"Procedimenti", modelsPath}

type modelListPage struct {
	Types []*procedo.ProcedureType
}

// handleModelList lists the procedure types of the tenant with their
// published version and draft.
func (h *Handler) handleModelList(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	types, err := h.Procedures.FindProcedureTypes(r.Context())
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "model_list", &page{Title: "Procedimenti", Section: "office",
		Breadcrumbs: []crumb{{"Amministrazione", ""}, {"Procedimenti", ""}}, Data: &modelListPage{Types: types}})
	return nil
}

// starterModel is the YAML offered to write a new model from scratch.
const starterModel = `# Nuovo modello di procedimento: schema in /schemas/procedure.schema.json
id: nuovo-procedimento
version: "1.0"
title: Titolo del procedimento
summary: Che cosa può chiedere il cittadino, in una frase.
category: Altri servizi
description: >-
  Descrizione del procedimento (art. 35, lett. a).
legal_references:
  - "l'art. 2 della Legge 7 agosto 1990, n. 241"
office: SEGR
term_days: 30
silence: none
remedies: >-
  Ricorso al Tribunale amministrativo regionale entro 60 giorni.
substitute_power: Il Segretario comunale
classification: I.8
retention_years: 10
form:
  sections:
    - title: Recapiti
      fields:
        - {name: email, label: Indirizzo e-mail, type: email, required: true, prefill: email}
    - title: Domanda
      fields:
        - {name: oggetto, label: Che cosa chiedi, type: textarea, required: true}
`

// handleModelNew shows the editor for a new model.
func (h *Handler) handleModelNew(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	return h.renderModelEdit(w, r, http.StatusOK, &modelEditPage{Source: starterModel, New: true})
}

// handleModelCreate previews the posted model, or stores it as the first
// draft of a new procedure (or a new draft of an existing one).
func (h *Handler) handleModelCreate(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	data := &modelEditPage{Source: r.PostFormValue("source"), New: true}
	def, ok := h.parseModel(data)
	if !ok || r.PostFormValue("azione") == "anteprima" {
		return h.renderModelEdit(w, r, statusOf422(ok), data)
	}
	v, err := h.Procedures.CreateDraft(r.Context(), def, data.Source)
	if err != nil {
		if !data.addError(err) {
			return err
		}
		return h.renderModelEdit(w, r, http.StatusUnprocessableEntity, data)
	}
	h.redirect(w, r, versionURL(v), "model-draft")
	return nil
}

func statusOf422(ok bool) int {
	if ok {
		return http.StatusOK
	}
	return http.StatusUnprocessableEntity
}

func init() {
	flashMessages["model-draft"] = "Bozza salvata. Controlla l'anteprima e pubblicala quando è pronta."
	flashMessages["model-published"] = "Versione pubblicata: le nuove domande useranno questa versione; le pratiche già aperte restano sulla loro."
	flashMessages["model-deleted"] = "Bozza eliminata."
	flashMessages["model-imported"] = "Importazione completata: i modelli nuovi o aggiornati sono bozze da localizzare e pubblicare."
}
