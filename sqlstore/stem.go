// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"strings"
	"unicode"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/italian"
)

// plainWords splits text into lower-case words of letters and digits, at most
// 32 of them, dropping the characters full-text query syntaxes give meaning to.
func plainWords(text string) []string {
	f := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(f) > 32 {
		f = f[:32]
	}
	return f
}

// stemWords returns the Snowball Italian stems of the words of text (the
// algorithm PostgreSQL's "italian" configuration uses), so SQLite searches
// find "richieste" for "richiesta" as PostgreSQL does.
func stemWords(text string) []string {
	words := plainWords(text)
	out := words[:0]
	for _, w := range words {
		if italianStopwords[w] {
			continue
		}
		env := snowballstem.NewEnv(w)
		italian.Stem(env)
		out = append(out, env.Current())
	}
	return out
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
