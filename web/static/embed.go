// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

// Package static holds the files that the web UI serves as they are: our own
// CSS in css/, scripts in js/ and, in vendor/, the Bootstrap Italia files that `make assets`
// copies from node_modules. It only embeds them; serving (paths, caching
// headers) belongs to package web.
package static

import "embed"

// FS holds css/, js/ (our few scripts, each optional: every page works without
// them) and vendor/ with paths relative to this folder, such as
// "css/procedo.css" and "vendor/bootstrap-italia/css/bootstrap-italia.min.css".
// Before `make assets` has run, vendor/ holds only its README.md.
//
//go:embed css js vendor
var FS embed.FS
