// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import "golang.org/x/time/rate"

// SetRateLimit sets the per-token rate limit of the handlers built after it.
func (s *Server) SetRateLimit(limit rate.Limit, burst int) { s.rateLimit, s.rateBurst = limit, burst }

// RoutePatterns returns the patterns of routes.go.
func (s *Server) RoutePatterns() []string {
	var out []string
	for _, rt := range s.routes() {
		out = append(out, rt.pattern)
	}
	return out
}

// ContentDisposition is contentDisposition.
var ContentDisposition = contentDisposition
