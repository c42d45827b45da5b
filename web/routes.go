// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
)

// registeredPages lists every page template; Init checks they all exist.
var registeredPages = []string{
	"home", "service_view", "receipt", "login", "login_demo", "my_case_list", "my_case_view",
	"office_login", "worklist", "case_view", "admin_org_units", "admin_users", "admin_user_edit", "demo_mailbox",
	"demo_mail_view", "error", "deadline", "admin_classifications",
	"registry_new", "registry_list", "registry_view", "registry_receipt", "registry_daily", "assignment_list",
	"procedure_catalogue", "procedure_sheet_list", "procedure_sheet", "model_list", "model_view", "model_edit", "model_diff",
	"model_import",
	"apply_privacy", "apply_applicant", "apply_section", "apply_files", "apply_payment", "apply_summary",
	"case_action", "admin_outbox",
	"opinion_list", "opinion_view",
	"provider_logout",
}

// Routes returns the web UI. Every route is listed here.
func (h *Handler) Routes() http.Handler {
	mux := http.NewServeMux()

	// Front office (citizens and the public).
	mux.HandleFunc("GET /{$}", h.get(h.handleHome))
	mux.HandleFunc("GET /servizi/{key}", h.get(h.handleServiceView))
	mux.HandleFunc("GET /servizi/{key}/domanda", h.get(h.handleApplyStart))
	mux.HandleFunc("POST /servizi/{key}/domanda", h.post(h.handleApplyCreate))
	mux.HandleFunc("GET /domande/{id}", h.get(h.handleApplyResume))
	mux.HandleFunc("GET /domande/{id}/{step}", h.get(h.handleApplyStep))
	mux.HandleFunc("POST /domande/{id}/{step}", h.post(h.handleApplyStepSave))
	mux.HandleFunc("POST /domande/{id}/invia", h.post(h.handleApplySubmit))
	mux.HandleFunc("POST /domande/{id}/elimina", h.post(h.handleDraftDelete))
	mux.HandleFunc("GET /domande/{id}/avvisi/{notice}", h.get(h.handlePaymentNoticePDF))
	mux.HandleFunc("POST /domande/{id}/avvisi/{notice}/paga", h.post(h.handlePaymentStart))
	mux.HandleFunc("GET /pagamenti/esito", h.get(h.handlePaymentReturn))
	if h.PaymentPage != nil {
		// The DEMO checkout stands in for an outside site: its own signed
		// tokens protect it, not our form tokens (see payment.Demo).
		mux.Handle("GET /pagamenti/demo", h.PaymentPage)
		mux.Handle("POST /pagamenti/demo", h.PaymentPage)
	}
	mux.HandleFunc("GET /accedi", h.get(h.handleLogin))
	mux.HandleFunc("GET /accedi/{provider}", h.get(h.handleLoginStart))
	mux.HandleFunc("GET /accedi/demo/modulo", h.get(h.handleLoginDemoForm))
	mux.HandleFunc("POST /accedi/{provider}/callback", h.post(h.handleLoginCallback))
	mux.HandleFunc("GET /accedi/{provider}/callback", h.get(h.handleLoginReturn))
	mux.HandleFunc("POST /accedi/{provider}/acs", h.get(h.handleLoginACS)) // no form token: see handleLoginACS
	mux.HandleFunc("GET /accedi/{provider}/metadata", h.get(h.handleLoginMetadata))
	mux.HandleFunc("GET /accedi/{provider}/uscita", h.get(h.handleLogoutReturn))
	mux.HandleFunc("POST /accedi/{provider}/uscita", h.get(h.handleLogoutReturn)) // no form token: see handleLogoutReturn
	mux.HandleFunc("GET /.well-known/openid-federation", h.get(h.handleEntityConfiguration))
	mux.HandleFunc("POST /esci", h.post(h.handleLogout))
	mux.HandleFunc("GET /pratiche", h.get(h.handleMyCaseList))
	mux.HandleFunc("GET /pratiche/{id}", h.get(h.handleMyCaseView))
	mux.HandleFunc("POST /pratiche/{id}/risposta", h.post(h.handleMyCaseAnswer))
	mux.HandleFunc("POST /pratiche/{id}/messaggi", h.post(h.handleMyCaseMessage))
	mux.HandleFunc("POST /pratiche/{id}/potere-sostitutivo", h.post(h.handleMyCaseSubstitute))
	mux.HandleFunc("POST /pratiche/{id}/attestazione", h.post(h.handleMyCaseAttestation))
	mux.HandleFunc("POST /pratiche/{id}/rinuncia", h.post(h.handleMyCaseWithdraw))
	mux.HandleFunc("GET /pratiche/{id}/avvisi/{notice}", h.get(h.handleCaseNoticePDF))
	mux.HandleFunc("POST /pratiche/{id}/avvisi/{notice}/paga", h.post(h.handleCasePaymentStart))
	mux.HandleFunc("GET /pratiche/{id}/ricevuta", h.get(h.handleReceipt))
	mux.HandleFunc("GET /pratiche/{id}/ricevuta.pdf", h.get(h.handleReceiptPDF))
	mux.HandleFunc("GET /documenti/{id}", h.get(h.handleDocumentDownload))
	mux.HandleFunc("GET /servizi", h.get(h.handleProcedureCatalogue))
	mux.HandleFunc("GET "+sheetPath, h.get(h.handleProcedureSheetList))
	mux.HandleFunc("GET "+sheetPath+"/{key}", h.get(h.handleProcedureSheet))
	mux.HandleFunc("GET /schemas/procedure.schema.json", h.get(h.handleProcedureSchema))

	// Back office (operators).
	mux.HandleFunc("GET /ufficio/accedi", h.get(h.handleOfficeLogin))
	mux.HandleFunc("POST /ufficio/accedi", h.post(h.handleOfficeLoginSubmit))
	mux.HandleFunc("GET /ufficio", h.get(h.handleWorklist))
	mux.HandleFunc("GET /ufficio/pratiche/{id}", h.get(h.handleCaseView))
	mux.HandleFunc("GET /ufficio/pratiche/{id}/azioni/{name}", h.get(h.handleCaseAction))
	mux.HandleFunc("POST /ufficio/pratiche/{id}/azioni/{name}", h.post(h.handleCaseTransition))
	mux.HandleFunc("POST /ufficio/pratiche/{id}/bozze", h.post(h.handleCaseDraftSubmit))
	mux.HandleFunc("POST /ufficio/pratiche/{id}/bozze/{draft}/approva", h.post(h.handleCaseDraftApprove))
	mux.HandleFunc("POST /ufficio/pratiche/{id}/bozze/{draft}/restituisci", h.post(h.handleCaseDraftReturn))
	mux.HandleFunc("POST /ufficio/pratiche/{id}/responsabile", h.post(h.handleCaseAssign))
	mux.HandleFunc("POST /ufficio/pratiche/{id}/proroghe", h.post(h.handleCaseExtend))
	mux.HandleFunc("POST /ufficio/pratiche/{id}/attestazione", h.post(h.handleCaseAttestation))
	mux.HandleFunc("POST /ufficio/pratiche/{id}/note", h.post(h.handleCaseNote))
	mux.HandleFunc("POST /ufficio/pratiche/{id}/messaggi", h.post(h.handleCaseReply))
	mux.HandleFunc("POST /ufficio/pratiche/{id}/pagamenti", h.post(h.handleCasePaymentRequest))
	mux.HandleFunc("POST /ufficio/pratiche/assegnazione", h.post(h.handleWorklistAssign))
	mux.HandleFunc("POST /ufficio/pratiche/sollecito", h.post(h.handleWorklistRemind))
	mux.HandleFunc("GET /ufficio/scadenze", h.get(h.handleDeadline))
	mux.HandleFunc("POST /ufficio/pratiche/{id}/pareri", h.post(h.handleCaseOpinionRequest))
	mux.HandleFunc("GET /ufficio/pareri", h.get(h.handleOpinionList))
	mux.HandleFunc("GET /ufficio/pareri/{id}", h.get(h.handleOpinionView))
	mux.HandleFunc("POST /ufficio/pareri/{id}/risposta", h.post(h.handleOpinionAnswer))
	mux.HandleFunc("GET /ufficio/pareri/{id}/documenti/{doc}", h.get(h.handleOpinionDocument))

	// Registry desk (protocollo informatico) and the offices' assignments.
	mux.HandleFunc("GET /ufficio/protocollo", h.get(h.handleRegistryList))
	mux.HandleFunc("GET /ufficio/protocollo/nuova", h.get(h.handleRegistryNew))
	mux.HandleFunc("POST /ufficio/protocollo/nuova", h.post(h.handleRegistryCreate))
	mux.HandleFunc("GET /ufficio/protocollo/giornalieri", h.get(h.handleRegistryDailyList))
	mux.HandleFunc("POST /ufficio/protocollo/giornalieri", h.post(h.handleRegistryDailyProduce))
	mux.HandleFunc("GET /ufficio/protocollo/{year}/{number}", h.get(h.handleRegistryView))
	mux.HandleFunc("GET /ufficio/protocollo/{year}/{number}/ricevuta", h.get(h.handleRegistryReceipt))
	mux.HandleFunc("GET /ufficio/protocollo/{year}/{number}/segnatura.xml", h.get(h.handleRegistrySegnatura))
	mux.HandleFunc("POST /ufficio/protocollo/{year}/{number}/correzione", h.post(h.handleRegistryCorrect))
	mux.HandleFunc("POST /ufficio/protocollo/{year}/{number}/annullamento", h.post(h.handleRegistryAnnul))
	mux.HandleFunc("POST /ufficio/protocollo/{year}/{number}/riassegnazione", h.post(h.handleRegistryReassign))
	mux.HandleFunc("GET /ufficio/assegnazioni", h.get(h.handleAssignmentList))
	mux.HandleFunc("POST /ufficio/assegnazioni/{id}/accetta", h.post(h.handleAssignmentAccept))
	mux.HandleFunc("POST /ufficio/assegnazioni/{id}/restituisci", h.post(h.handleAssignmentReturn))

	// Tenant administration.
	mux.HandleFunc("GET /ufficio/admin/uffici", h.get(h.handleAdminOrgUnits))
	mux.HandleFunc("POST /ufficio/admin/uffici", h.post(h.handleAdminOrgUnitCreate))
	mux.HandleFunc("POST /ufficio/admin/uffici/{id}", h.post(h.handleAdminOrgUnitUpdate))
	mux.HandleFunc("GET /ufficio/admin/titolario", h.get(h.handleAdminClassifications))
	mux.HandleFunc("POST /ufficio/admin/titolario", h.post(h.handleAdminClassificationCreate))
	mux.HandleFunc("POST /ufficio/admin/titolario/modifica", h.post(h.handleAdminClassificationUpdate))
	mux.HandleFunc("GET /ufficio/admin/utenti", h.get(h.handleAdminUsers))
	mux.HandleFunc("POST /ufficio/admin/utenti", h.post(h.handleAdminUserCreate))
	mux.HandleFunc("GET /ufficio/admin/utenti/{id}", h.get(h.handleAdminUserEdit))
	mux.HandleFunc("POST /ufficio/admin/utenti/{id}", h.post(h.handleAdminUserUpdate))
	mux.HandleFunc("GET /ufficio/admin/posta", h.get(h.handleOutbox))

	// Procedure models: drafts, versions, publication, import.
	mux.HandleFunc("GET "+modelsPath, h.get(h.handleModelList))
	mux.HandleFunc("POST "+modelsPath, h.post(h.handleModelCreate))
	mux.HandleFunc("GET "+modelsPath+"/nuovo", h.get(h.handleModelNew))
	mux.HandleFunc("GET "+modelsPath+"/importa", h.get(h.handleModelImportForm))
	mux.HandleFunc("POST "+modelsPath+"/importa", h.post(h.handleModelImport))
	mux.HandleFunc("GET "+modelsPath+"/{key}", h.get(h.handleModelView))
	mux.HandleFunc("POST "+modelsPath+"/{key}/bozza", h.post(h.handleModelDraftCreate))
	mux.HandleFunc("GET "+modelsPath+"/{key}/differenze", h.get(h.handleModelDiff))
	mux.HandleFunc("GET "+modelsPath+"/{key}/versioni/{n}", h.get(h.handleModelVersion))
	mux.HandleFunc("POST "+modelsPath+"/{key}/versioni/{n}", h.post(h.handleModelVersionSave))
	mux.HandleFunc("POST "+modelsPath+"/{key}/versioni/{n}/pubblica", h.post(h.handleModelVersionPublish))
	mux.HandleFunc("POST "+modelsPath+"/{key}/versioni/{n}/elimina", h.post(h.handleModelVersionDelete))
	mux.HandleFunc("GET "+modelsPath+"/{key}/versioni/{n}/bpmn", h.get(h.handleModelVersionBPMN))
	mux.HandleFunc("GET "+modelsPath+"/{key}/versioni/{n}/yaml", h.get(h.handleModelVersionExport))

	// DEMO mailbox: what procedo would have sent, in demo mode only.
	mux.HandleFunc("GET /demo/posta", h.get(h.handleDemoMailbox))
	mux.HandleFunc("GET /demo/posta/{id}", h.get(h.handleDemoMailView))

	mux.HandleFunc("/", h.get(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }))

	root := http.NewServeMux()
	if h.Static != nil {
		static := http.FileServerFS(h.Static)
		root.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(static)))
	}
	// CrossOriginProtection refuses cross-site POSTs by their Sec-Fetch-Site or
	// Origin headers, in addition to the form tokens.
	cop := http.NewCrossOriginProtection()
	// Except the SAML assertion consumer service: the identity provider's page
	// posts the signed Response to it from another site by design (HTTP-POST
	// binding). What protects it is the SAML message itself: signed by the
	// IdP, answering a request this browser made (InResponseTo and RelayState
	// bound to its cookies), accepted once.
	cop.AddInsecureBypassPattern("POST /accedi/{provider}/acs")
	// And the SAML Single Logout return, for the same reason (a signed
	// LogoutResponse answering this browser's LogoutRequest).
	cop.AddInsecureBypassPattern("POST /accedi/{provider}/uscita")
	root.Handle("/", cop.Handler(h.withTenant(mux)))
	return securityHeaders(root)
}

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}
