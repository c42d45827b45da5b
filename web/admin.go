// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/procedo/procedo"
)

func requireAdmin(r *http.Request) (*procedo.User, error) {
	u, err := requireUser(r)
	if err != nil {
		return nil, err
	}
	if !u.HasRole(procedo.RoleAdmin) {
		return nil, procedo.Errorf(procedo.EFORBIDDEN, "Questa sezione è riservata agli amministratori dell'ente.")
	}
	return u, nil
}

type adminOrgUnitsPage struct {
	Units  []*procedo.OrgUnit
	New    *procedo.OrgUnit
	Errors procedo.FieldErrors
	EditID int64 // the unit whose edit failed, with Errors
}

// handleAdminOrgUnits lists the offices with forms to add and edit them.
func (h *Handler) handleAdminOrgUnits(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	return h.renderOrgUnits(w, r, http.StatusOK, &adminOrgUnitsPage{New: &procedo.OrgUnit{}})
}

func (h *Handler) renderOrgUnits(w http.ResponseWriter, r *http.Request, status int, data *adminOrgUnitsPage) error {
	units, err := h.OrgUnits.FindOrgUnits(r.Context())
	if err != nil {
		return err
	}
	data.Units = units
	title := "Uffici"
	if len(data.Errors) > 0 {
		title = "Errori: Uffici"
	}
	h.render(w, r, status, "admin_org_units", &page{Title: title, Section: "office",
		Breadcrumbs: []crumb{{"Amministrazione", ""}, {"Uffici", ""}}, Data: data})
	return nil
}

// handleAdminOrgUnitCreate adds an office.
func (h *Handler) handleAdminOrgUnitCreate(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	o := &procedo.OrgUnit{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), Email: strings.TrimSpace(r.PostFormValue("email")),
		Phone: r.PostFormValue("phone"), Head: r.PostFormValue("head")}
	err := h.OrgUnits.CreateOrgUnit(r.Context(), o)
	if fe := procedo.FieldErrorsOf(err); fe != nil {
		return h.renderOrgUnits(w, r, http.StatusUnprocessableEntity, &adminOrgUnitsPage{New: o, Errors: fe})
	}
	if err != nil {
		return err
	}
	h.redirect(w, r, "/ufficio/admin/uffici", "office-new")
	return nil
}

// handleAdminOrgUnitUpdate changes an office.
func (h *Handler) handleAdminOrgUnitUpdate(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	name, email, phone, head := r.PostFormValue("name"), strings.TrimSpace(r.PostFormValue("email")), r.PostFormValue("phone"), r.PostFormValue("head")
	_, err = h.OrgUnits.UpdateOrgUnit(r.Context(), id, procedo.OrgUnitUpdate{Name: &name, Email: &email, Phone: &phone, Head: &head})
	if fe := procedo.FieldErrorsOf(err); fe != nil {
		return h.renderOrgUnits(w, r, http.StatusUnprocessableEntity, &adminOrgUnitsPage{New: &procedo.OrgUnit{}, Errors: fe, EditID: id})
	}
	if err != nil {
		return err
	}
	h.redirect(w, r, "/ufficio/admin/uffici", "office-save")
	return nil
}

type adminUsersPage struct {
	Users    []*procedo.User
	Units    map[int64]string
	UnitList []*procedo.OrgUnit
	Roles    []procedo.Role
	New      *procedo.User
	Errors   procedo.FieldErrors
}

// handleAdminUsers lists operators with a form to add one.
func (h *Handler) handleAdminUsers(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	return h.renderUsers(w, r, http.StatusOK, &adminUsersPage{New: &procedo.User{}})
}

func (h *Handler) unitsOf(r *http.Request) ([]*procedo.OrgUnit, map[int64]string, error) {
	units, err := h.OrgUnits.FindOrgUnits(r.Context())
	if err != nil {
		return nil, nil, err
	}
	m := map[int64]string{}
	for _, u := range units {
		m[u.ID] = u.Name
	}
	return units, m, nil
}

func (h *Handler) renderUsers(w http.ResponseWriter, r *http.Request, status int, data *adminUsersPage) error {
	users, _, err := h.Users.FindUsers(r.Context(), procedo.UserFilter{Limit: 500})
	if err != nil {
		return err
	}
	data.Users, data.Roles = users, procedo.AllRoles
	if data.UnitList, data.Units, err = h.unitsOf(r); err != nil {
		return err
	}
	title := "Utenti"
	if len(data.Errors) > 0 {
		title = "Errori: Utenti"
	}
	h.render(w, r, status, "admin_users", &page{Title: title, Section: "office",
		Breadcrumbs: []crumb{{"Amministrazione", ""}, {"Utenti", ""}}, Data: data})
	return nil
}

// userFromForm reads the user fields shared by the create and edit forms.
func userFromForm(r *http.Request) (fullName, email string, roles []procedo.Role, unit *int64, fe procedo.FieldErrors) {
	fe = procedo.FieldErrors{}
	fullName, email = strings.TrimSpace(r.PostFormValue("full_name")), strings.TrimSpace(r.PostFormValue("email"))
	for _, v := range r.PostForm["roles"] {
		rr, err := procedo.ParseRoles(v)
		if err != nil {
			fe.Add("roles", "Ruolo sconosciuto.")
			continue
		}
		roles = append(roles, rr...)
	}
	if s := r.PostFormValue("org_unit"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			fe.Add("org_unit", "Ufficio non valido.")
		} else {
			unit = &id
		}
	}
	return
}

// handleAdminUserCreate adds an operator.
func (h *Handler) handleAdminUserCreate(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	fullName, email, roles, unit, fe := userFromForm(r)
	u := &procedo.User{Username: strings.ToLower(strings.TrimSpace(r.PostFormValue("username"))), FullName: fullName, Email: email,
		Roles: roles, OrgUnitID: unit}
	if len(fe) == 0 {
		err := h.Users.CreateUser(r.Context(), u, r.PostFormValue("password"))
		if fe = procedo.FieldErrorsOf(err); fe == nil && err != nil {
			return err
		}
	}
	if len(fe) > 0 {
		return h.renderUsers(w, r, http.StatusUnprocessableEntity, &adminUsersPage{New: u, Errors: fe})
	}
	h.redirect(w, r, "/ufficio/admin/utenti", "user-new")
	return nil
}

type adminUserEditPage struct {
	User     *procedo.User
	UnitList []*procedo.OrgUnit
	Roles    []procedo.Role
	Errors   procedo.FieldErrors
}

// handleAdminUserEdit shows the form to change an operator.
func (h *Handler) handleAdminUserEdit(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := h.Users.FindUserByID(r.Context(), id)
	if err != nil {
		return err
	}
	return h.renderUserEdit(w, r, http.StatusOK, &adminUserEditPage{User: u})
}

func (h *Handler) renderUserEdit(w http.ResponseWriter, r *http.Request, status int, data *adminUserEditPage) error {
	var err error
	if data.UnitList, _, err = h.unitsOf(r); err != nil {
		return err
	}
	data.Roles = procedo.AllRoles
	title := fmt.Sprintf("Utente %s", data.User.Username)
	if len(data.Errors) > 0 {
		title = "Errori: " + title
	}
	h.render(w, r, status, "admin_user_edit", &page{Title: title, Section: "office",
		Breadcrumbs: []crumb{{"Utenti", "/ufficio/admin/utenti"}, {data.User.Username, ""}}, Data: data})
	return nil
}

// handleAdminUserUpdate changes an operator (roles, office, disabled, password).
func (h *Handler) handleAdminUserUpdate(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := h.Users.FindUserByID(r.Context(), id)
	if err != nil {
		return err
	}
	fullName, email, roles, unit, fe := userFromForm(r)
	disabled := r.PostFormValue("disabled") == "1"
	upd := procedo.UserUpdate{FullName: &fullName, Email: &email, Roles: roles, OrgUnitID: &unit, Disabled: &disabled}
	if upd.Roles == nil {
		upd.Roles = []procedo.Role{}
	}
	if pw := r.PostFormValue("password"); pw != "" {
		upd.Password = &pw
	}
	if len(fe) == 0 {
		_, err = h.Users.UpdateUser(r.Context(), id, upd)
		if fe = procedo.FieldErrorsOf(err); fe == nil && err != nil {
			return err
		}
	}
	if len(fe) > 0 {
		u.FullName, u.Email, u.Roles, u.OrgUnitID, u.Disabled = fullName, email, roles, unit, disabled
		return h.renderUserEdit(w, r, http.StatusUnprocessableEntity, &adminUserEditPage{User: u, Errors: fe})
	}
	h.redirect(w, r, "/ufficio/admin/utenti", "user-save")
	return nil
}

type demoMailboxPage struct {
	Messages []*procedo.MailMessage
	Total    int
}

// handleDemoMailbox lists what procedo sent (or would send), in demo mode only.
func (h *Handler) handleDemoMailbox(w http.ResponseWriter, r *http.Request) error {
	if !h.Demo {
		return errNotFound
	}
	msgs, total, err := h.Outbox.FindMailMessages(r.Context(), procedo.MailFilter{Limit: 100})
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "demo_mailbox", &page{Title: "Posta DEMO", Breadcrumbs: []crumb{{"Posta DEMO", ""}},
		Data: &demoMailboxPage{Messages: msgs, Total: total}})
	return nil
}

// handleDemoMailView shows one message of the DEMO mailbox.
func (h *Handler) handleDemoMailView(w http.ResponseWriter, r *http.Request) error {
	if !h.Demo {
		return errNotFound
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := h.Outbox.FindMailMessageByID(r.Context(), id)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "demo_mail_view", &page{Title: m.Subject,
		Breadcrumbs: []crumb{{"Posta DEMO", "/demo/posta"}, {"Messaggio", ""}}, Data: m})
	return nil
}
