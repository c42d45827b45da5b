// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/italian"
)

// plainWords splits a query into lower-case words of letters and digits, at
// most 32 of them, dropping the characters full-text query syntaxes give
// meaning to.
func plainWords(text string) []string {
	f := allWords(text)
	if len(f) > 32 {
		f = f[:32]
	}
	return f
}

// allWords splits text into lower-case words of letters and digits.
func allWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// stemWords returns the Snowball Italian stems of the words of a query (the
// algorithm PostgreSQL's "italian" configuration uses), so SQLite searches
// find "richieste" for "richiesta" as PostgreSQL does.
func stemWords(text string) []string { return stemAll(plainWords(text)) }

// indexWords returns the stems of every word of a text to index.
func indexWords(text string) []string { return stemAll(allWords(text)) }

// stemAll returns the stems of words, stop words left out.
func stemAll(words []string) []string {
	out := words[:0]
	for _, w := range words {
		if italianStopwords[w] {
			continue
		}
		out = append(out, stem(w))
	}
	return out
}

// stems caches the stems of words seen (the same words come back in oggetti
// and names again and again): stemming was most of the work a registration
// does before it is queued for group commit. At most maxStems are kept.
var (
	stems    sync.Map // word → stem
	numStems atomic.Int64
)

const maxStems = 200_000

// stem returns the Snowball Italian stem of the lower-case word w.
func stem(w string) string {
	if s, ok := stems.Load(w); ok {
		return s.(string)
	}
	env := snowballstem.NewEnv(w)
	italian.Stem(env)
	s := env.Current()
	// Numbers and codes are mostly seen once: they would fill the cache.
	if numStems.Load() < maxStems && !strings.ContainsAny(w, "0123456789") {
		if _, loaded := stems.LoadOrStore(strings.Clone(w), s); !loaded {
			numStems.Add(1)
		}
	}
	return s
}

// italianStopwords are articles, prepositions and conjunctions, which do not
// help a search (the same idea as PostgreSQL's Italian stop list).
var italianStopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a ad al allo ai agli all agl alla alle con col coi da dal dallo dai dagli dall dagl
		dalla dalle di del dello dei degli dell degl della delle in nel nello nei negli nell negl nella nelle su sul sullo
		sui sugli sull sugl sulla sulle per tra fra il lo la i gli le l un uno una e ed o od ma che chi non se si`) {
		italianStopwords[w] = true
	}
}
