// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/goccy/go-yaml"
)

// openAPIYAML is the OpenAPI 3.1 description of the API, the source kept in
// the repository (api/openapi.yaml).
//
//go:embed openapi.yaml
var openAPIYAML []byte

// openAPIJSON returns openAPIYAML as indented JSON, converted once.
var openAPIJSON = sync.OnceValues(func() ([]byte, error) {
	j, err := yaml.YAMLToJSON(openAPIYAML)
	if err != nil {
		return nil, fmt.Errorf("api: openapi.yaml: %w", err)
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, j, "", "  "); err != nil {
		return nil, fmt.Errorf("api: openapi.yaml converted to invalid JSON: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
})

// handleOpenAPI serves GET /api/v1/openapi.json, without authentication.
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	spec, err := openAPIJSON()
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Access-Control-Allow-Origin", "*") // a public description, for API explorers
	_, _ = w.Write(spec)
	return nil
}
