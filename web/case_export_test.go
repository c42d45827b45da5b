// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import "time"

// SetTimeNow replaces the clock of the UI (days left, worklists) for a test
// and returns the function that restores it. Web tests do not run in
// parallel, so the swap is safe.
func SetTimeNow(now func() time.Time) (restore func()) {
	old := timeNow
	timeNow = now
	return func() { timeNow = old }
}
