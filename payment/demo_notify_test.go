// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package payment_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/procedo/procedo"
)

// TestDemo_Notify: a confirmed payment is also notified server to server
// to NotifyURL with the signed outcome and the tenant, which Confirm
// accepts for that tenant only; an abandoned payment notifies nothing; a
// failed notification is logged and the browser still goes back.
func TestDemo_Notify(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	var got []url.Values
	status := http.StatusOK
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
			t.Errorf("notification %s: %v", r.Method, err)
		}
		mu.Lock()
		got = append(got, r.PostForm)
		w.WriteHeader(status)
		mu.Unlock()
	}))
	defer receiver.Close()
	var logs bytes.Buffer
	d := newDemo(&now)
	d.NotifyURL, d.Logger = receiver.URL+"/api/v1/payments/demo/notifications", slog.New(slog.NewTextHandler(&logs, nil))
	n := unpaidNotice(t)

	back := pay(t, d, n, "ok")
	mu.Lock()
	if len(got) != 1 || got[0].Get("ente") != "1" || got[0].Get("esito") != back.URL.Query().Get("esito") {
		t.Fatalf("notifications %v, return %v", got, back.URL)
	}
	form := got[0]
	mu.Unlock()
	notified := httptest.NewRequest(http.MethodPost, "/api/v1/payments/demo/notifications", strings.NewReader(form.Encode()))
	notified.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	number, ref, err := d.Confirm(tenantCtx(alfa), notified)
	if err != nil || number != n.NoticeNumber.String() || !strings.HasPrefix(ref, "DEMO-") {
		t.Fatalf("Confirm(notification) = %q %q %v", number, ref, err)
	}
	notified = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
	notified.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, _, err := d.Confirm(tenantCtx(beta), notified); procedo.ErrorCode(err) != procedo.EINVALID {
		t.Fatalf("another tenant: %v", err)
	}

	pay(t, d, n, "annulla")
	mu.Lock()
	if len(got) != 1 {
		t.Fatalf("an abandoned payment was notified: %v", got[1:])
	}
	status = http.StatusInternalServerError
	mu.Unlock()
	pay(t, d, n, "ok") // still redirected (pay checks the 303)
	if !strings.Contains(logs.String(), "DEMO payment notification failed") {
		t.Fatalf("logs: %s", logs.String())
	}
}
