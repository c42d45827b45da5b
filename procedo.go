// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

// Package procedo holds the domain of procedo: the types, pure rules and service
// interfaces for administrative procedures (tenants, users, procedures, applications,
// cases, the protocol register, documents). It imports only the standard library;
// storage, web, API, mail and PDF live in their own packages and implement or use
// what is declared here.
package procedo

// Version is the release of procedo, set at build time with -ldflags.
var Version = "dev"
