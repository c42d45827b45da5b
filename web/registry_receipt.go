// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
	"strconv"

	"github.com/procedo/procedo"
)

// registryReceiptPage is the printable receipt of a registration.
type registryReceiptPage struct {
	Reg        *procedo.Registration
	Tenant     *procedo.Tenant
	AOO        *procedo.AOO
	Label      string // the segnatura as printed on the document (art. 55)
	Classifica string
	Channel    string
	Documents  []registryDocument
	BackURL    string
}

// segnaturaLabel is the text of the segnatura printed or stamped on the
// document (DPR 445/2000 art. 55): administration, AOO, register, number,
// date and time, direction, e.g. "Comune di Alfa – AOO c_a001 – PG 0000042/2026
// del 25/11/2026 15:04 – E".
func segnaturaLabel(t *procedo.Tenant, aoo *procedo.AOO, reg *procedo.Registration) string {
	return t.Name + " – AOO " + aoo.Code + " – " + reg.Signature() + " – " + string(reg.Direction)
}

// handleRegistryReceipt shows the receipt of a registration, made for
// printing: its own layout without navigation, no script.
func (h *Handler) handleRegistryReceipt(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireUser(r); err != nil {
		return err
	}
	reg, err := h.findRegistration(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	_, aoo, err := h.Tenants.FindRegister(ctx)
	if err != nil {
		return err
	}
	t, err := h.loadTitolario(ctx)
	if err != nil {
		return err
	}
	docs, err := h.Registrations.FindRegistrationDocuments(ctx, reg.ID)
	if err != nil {
		return err
	}
	tenant := requestFrom(r).tenant
	d := &registryReceiptPage{Reg: reg, Tenant: tenant, AOO: aoo, Label: segnaturaLabel(tenant, aoo, reg),
		Classifica: t.Label(reg.Classification), Channel: channelLabel(reg.Channel), BackURL: registrationURL(reg)}
	for _, doc := range docs {
		d.Documents = append(d.Documents, registryDocument{doc, reg.DocumentID != nil && *reg.DocumentID == doc.ID})
	}
	h.render(w, r, http.StatusOK, "registry_receipt", &page{Title: "Ricevuta di protocollo n. " + reg.NumberString() + "/" + strconv.Itoa(reg.Year),
		Section: "office", Data: d})
	return nil
}
