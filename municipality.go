// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"strings"
	"sync"
	"unicode"
)

// Municipality is an Italian Comune of the ISTAT list (data/comuni-istat.csv,
// from ANPR, CC BY 4.0).
type Municipality struct {
	Code     string // ISTAT code, 6 digits
	Name     string // official name, upper case, e.g. "AGLIÈ"
	Province string // sigla, e.g. "TO"
}

// Label returns "NAME (PR)".
func (m Municipality) Label() string { return m.Name + " (" + m.Province + ")" }

//go:embed data/comuni-istat.csv
var municipalitiesCSV []byte

var municipalities struct {
	once   sync.Once
	byCode map[string]Municipality
	byName map[string][]Municipality // folded name → municipalities
}

func loadMunicipalities() {
	municipalities.byCode = map[string]Municipality{}
	municipalities.byName = map[string][]Municipality{}
	records, err := csv.NewReader(bytes.NewReader(municipalitiesCSV)).ReadAll()
	if err != nil {
		panic("procedo: data/comuni-istat.csv: " + err.Error()) // embedded file: a build error
	}
	for _, r := range records[1:] {
		m := Municipality{Code: r[0], Name: r[1], Province: r[2]}
		municipalities.byCode[m.Code] = m
		k := foldName(m.Name)
		municipalities.byName[k] = append(municipalities.byName[k], m)
	}
}

// accentFolder removes the accents found in the names of the ISTAT list.
var accentFolder = strings.NewReplacer("À", "A", "Á", "A", "Â", "A", "Ä", "A", "È", "E", "É", "E", "Ê", "E", "Ì", "I", "Í", "I",
	"Ò", "O", "Ó", "O", "Ô", "O", "Ö", "O", "Ù", "U", "Ú", "U", "Ü", "U", "Ç", "C", "Č", "C", "Š", "S", "Ž", "Z", "Ñ", "N", "ß", "SS")

// foldName makes names comparable: upper case, no accents, apostrophes and
// hyphens as spaces, single spaces.
func foldName(s string) string {
	var b strings.Builder
	for _, r := range accentFolder.Replace(strings.ToUpper(s)) {
		switch {
		case r == '\'' || r == '’' || r == '-' || unicode.IsSpace(r):
			b.WriteRune(' ')
		default:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// FindMunicipality returns the active Comune with ISTAT code.
func FindMunicipality(code string) (Municipality, bool) {
	municipalities.once.Do(loadMunicipalities)
	m, ok := municipalities.byCode[code]
	return m, ok
}

// ResolveMunicipality finds the Comune a person typed: an ISTAT code, a name
// ("Agliè", "aglie") or a name with its province ("Castro (LE)"). It returns
// the candidates: exactly one when resolved, several when the name is
// ambiguous without the province, none when unknown.
func ResolveMunicipality(s string) []Municipality {
	municipalities.once.Do(loadMunicipalities)
	s = strings.TrimSpace(s)
	if m, ok := municipalities.byCode[s]; ok {
		return []Municipality{m}
	}
	prov := ""
	if i := strings.LastIndexByte(s, '('); i > 0 && strings.HasSuffix(s, ")") {
		prov = strings.ToUpper(strings.TrimSpace(s[i+1 : len(s)-1]))
		s = s[:i]
	}
	list := municipalities.byName[foldName(s)]
	if prov == "" {
		return list
	}
	for _, m := range list {
		if m.Province == prov {
			return []Municipality{m}
		}
	}
	return nil
}
