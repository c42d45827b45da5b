// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package server_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/procedo/procedo/server"
)

func TestServer(t *testing.T) {
	healthy := true
	slow := make(chan struct{})
	s := &server.Server{
		Web: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/panic":
				panic("boom")
			case "/slow":
				close(slow)
				time.Sleep(300 * time.Millisecond)
			}
			_, _ = io.WriteString(w, "web")
		}),
		API: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "api") }),
		Health: func(context.Context) error {
			if healthy {
				return nil
			}
			return errors.New("database down")
		},
	}
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	base := "http://" + s.Addr()
	get := func(path string) (int, string, http.Header) {
		r, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return r.StatusCode, string(b), r.Header
	}
	for _, tc := range []struct {
		name, path string
		status     int
		body       string
	}{
		{"Web", "/", 200, "web"},
		{"API", "/api/v1/cases", 200, "api"},
		{"Healthz", "/healthz", 200, `"status":"ok"`},
		{"PanicRecovered", "/panic", 500, "Errore interno"},
		{"Metrics", "/metrics", 200, "procedo_http_requests_total"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body, h := get(tc.path)
			if code != tc.status || !strings.Contains(body, tc.body) {
				t.Fatalf("%d %q", code, body)
			}
			if h.Get("X-Request-Id") == "" {
				t.Error("no request id")
			}
		})
	}
	t.Run("Unhealthy", func(t *testing.T) {
		healthy = false
		defer func() { healthy = true }()
		if code, _, _ := get("/healthz"); code != http.StatusServiceUnavailable {
			t.Fatalf("%d", code)
		}
	})
	t.Run("GracefulShutdown", func(t *testing.T) {
		res := make(chan int, 1)
		go func() {
			code, _, _ := get("/slow")
			res <- code
		}()
		<-slow
		cancel()
		if code := <-res; code != 200 {
			t.Fatalf("request in flight got %d", code)
		}
		if err := <-done; err != nil {
			t.Fatalf("serve: %v", err)
		}
	})
}
