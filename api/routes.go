// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

// route is one endpoint: a net/http method pattern, its handler and whether it
// needs a bearer token.
type route struct {
	pattern string
	handler apiHandler
	auth    bool
}

// routes lists every endpoint of the API. openapi.yaml documents exactly these
// (TestOpenAPI_DocumentsEveryRoute).
func (s *Server) routes() []route {
	return []route{
		{"GET /api/v1/openapi.json", s.handleOpenAPI, false},

		{"GET /api/v1/procedures", s.handleProcedureList, true},
		{"POST /api/v1/procedures", s.handleProcedureCreate, true},
		{"POST /api/v1/procedures/import", s.handleProcedureImport, true},
		{"GET /api/v1/procedures/{id}", s.handleProcedureView, true},
		{"GET /api/v1/procedures/{id}/versions/{n}", s.handleProcedureVersionView, true},
		{"GET /api/v1/procedures/{id}/versions/{n}/bpmn", s.handleProcedureVersionBPMN, true},

		{"GET /api/v1/cases", s.handleCaseList, true},
		{"GET /api/v1/cases/{id}", s.handleCaseView, true},
		{"POST /api/v1/cases/{id}/transitions/{name}", s.handleCaseTransition, true},
		{"GET /api/v1/cases/{id}/clock", s.handleCaseClock, true},
		{"POST /api/v1/cases/{id}/assignment", s.handleCaseAssignment, true},
		{"GET /api/v1/cases/{id}/opinions", s.handleCaseOpinionList, true},
		{"POST /api/v1/cases/{id}/opinions", s.handleCaseOpinionCreate, true},
		{"POST /api/v1/opinions/{id}/answer", s.handleOpinionAnswer, true},
		{"GET /api/v1/cases/{id}/messages", s.handleCaseMessageList, true},
		{"POST /api/v1/cases/{id}/messages", s.handleCaseMessageCreate, true},
		{"GET /api/v1/cases/{id}/payments", s.handleCasePaymentList, true},

		{"GET /api/v1/documents/{id}", s.handleDocumentView, true},
		{"GET /api/v1/documents/{id}/content", s.handleDocumentContent, true},

		{"GET /api/v1/registrations", s.handleRegistrationList, true},
		{"POST /api/v1/registrations", s.handleRegistrationCreate, true},
		{"POST /api/v1/registrations/import", s.handleRegistrationImport, true},
		{"GET /api/v1/registrations/{year}/{number}", s.handleRegistrationView, true},
		{"GET /api/v1/registrations/{year}/{number}/segnatura.xml", s.handleRegistrationSegnatura, true},
		{"POST /api/v1/registrations/{year}/{number}/annulment", s.handleRegistrationAnnulment, true},

		{"GET /api/v1/daily-registers/{date}", s.handleDailyRegisterView, true},

		{"POST /api/v1/drafts", s.handleDraftCreate, true},
		{"GET /api/v1/drafts/{id}", s.handleDraftView, true},
		{"PUT /api/v1/drafts/{id}", s.handleDraftUpdate, true},
		{"PATCH /api/v1/drafts/{id}", s.handleDraftUpdate, true},
		{"DELETE /api/v1/drafts/{id}", s.handleDraftDelete, true},
		{"POST /api/v1/drafts/{id}/files", s.handleDraftFiles, true},
		{"GET /api/v1/drafts/{id}/payments", s.handleDraftPaymentList, true},
		{"POST /api/v1/drafts/{id}/payments", s.handleDraftPaymentIssue, true},
		{"GET /api/v1/drafts/{id}/payments/{notice}/pdf", s.handleDraftPaymentPDF, true},
		{"POST /api/v1/drafts/{id}/payments/{notice}/checkout", s.handleDraftPaymentCheckout, true},
		{"POST /api/v1/payments/{provider}/notifications", s.handlePaymentNotification, false},
		{"POST /api/v1/drafts/{id}/submit", s.handleDraftSubmit, true},
		{"GET /api/v1/applications/{id}", s.handleApplicationView, true},
	}
}
