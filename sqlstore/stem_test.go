// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"slices"
	"testing"
)

// TestStemWords: Snowball Italian stems, stop words dropped, the same stems
// whether they come from the cache or not, numbers not cached.
func TestStemWords(t *testing.T) {
	text := "Richiesta di autorizzazione per le richieste del 2026 n. 4711"
	want := []string{"richiest", "autorizz", "richiest", "2026", "n", "4711"}
	for round := 0; round < 2; round++ { // the second round reads the cache
		if got := stemWords(text); !slices.Equal(got, want) {
			t.Fatalf("round %d: %q, want %q", round, got, want)
		}
	}
	if _, ok := stems.Load("richieste"); !ok {
		t.Error("a word was not cached")
	}
	if _, ok := stems.Load("4711"); ok {
		t.Error("a number was cached")
	}
}
