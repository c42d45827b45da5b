// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

// Package server owns the http.Server: it mounts the web UI at / and the JSON
// API at /api/v1/, serves /healthz and /metrics, runs the shared middleware
// (recover, request id, access log, metrics) and shuts down gracefully. It
// holds no business rules.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/procedo/procedo"
)

// Server is procedo's HTTP server.
type Server struct {
	Web    http.Handler                    // mounted at /
	API    http.Handler                    // mounted at /api/v1/
	Health func(ctx context.Context) error // nil error: healthy
	Logger *slog.Logger

	srv      *http.Server
	ln       net.Listener
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// Registry returns the metrics registry, so other components can add collectors.
func (s *Server) Registry() *prometheus.Registry {
	if s.registry == nil {
		s.registry = prometheus.NewRegistry()
		s.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "procedo_http_requests_total",
			Help: "HTTP requests by surface, method and status code."}, []string{"surface", "method", "code"})
		s.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "procedo_http_request_duration_seconds",
			Help: "HTTP request latency by surface.", Buckets: prometheus.DefBuckets}, []string{"surface"})
		s.registry.MustRegister(s.requests, s.duration)
	}
	return s.registry
}

// Handler returns the root handler with every route and middleware.
func (s *Server) Handler() http.Handler {
	reg := s.Registry()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	if s.API != nil {
		mux.Handle("/api/v1/", s.instrument("api", s.API))
	}
	if s.Web != nil {
		mux.Handle("/", s.instrument("web", s.Web))
	}
	return s.recoverer(s.requestID(mux))
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if s.Health != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := s.Health(ctx); err != nil {
			s.logger().Error("health check failed", "error", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"status":"unavailable"}`))
			return
		}
	}
	_, _ = w.Write([]byte(`{"status":"ok","version":"` + procedo.Version + `"}`))
}

// Listen opens the listening socket on addr (":0" picks a free port).
func (s *Server) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.ln = ln
	return nil
}

// Addr returns the address the server listens on, after Listen.
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Serve serves until ctx is cancelled, then shuts down gracefully: it stops
// accepting, and waits up to 15 s for requests in flight.
func (s *Server) Serve(ctx context.Context) error {
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads of 20 MB on slow lines
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(s.logger().Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err := s.srv.Shutdown(sctx)
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument counts and times requests and writes the access log.
func (s *Server) instrument(surface string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		s.requests.WithLabelValues(surface, r.Method, strconv.Itoa(sw.status)).Inc()
		s.duration.WithLabelValues(surface).Observe(d.Seconds())
		s.logger().LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("request_id", procedo.RequestIDFromContext(r.Context())),
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", sw.status),
			slog.Int64("duration_ms", d.Milliseconds()), slog.String("surface", surface))
	})
}

func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(procedo.NewContextWithRequestID(r.Context(), id)))
	})
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.logger().Error("panic", "panic", p, "path", r.URL.Path, "request_id", procedo.RequestIDFromContext(r.Context()))
				http.Error(w, "Errore interno.", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}
