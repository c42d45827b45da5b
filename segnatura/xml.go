// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package segnatura

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/beevik/etree"

	"github.com/procedo/procedo"
)

// maxDepth bounds element nesting in untrusted input. The deepest legitimate
// paths (the XAdES signing certificate, a CodicePath of a deep titolario) stay
// under 20 levels.
const maxDepth = 64

var errEncoding = errors.New("encoding other than UTF-8")

// readDocument parses untrusted XML into a tree. It refuses, with EINVALID and
// an Italian message, what a segnatura never needs and an attacker may use:
// DOCTYPE and entity declarations, encodings other than UTF-8, duplicate
// attributes, more than one root, nesting deeper than maxDepth; ETOOLARGE past
// MaxSize. encoding/xml resolves no external entity, but a DOCTYPE is refused
// anyway so no later tool in the chain gets the chance.
func readDocument(b []byte) (*etree.Document, error) {
	if len(b) > MaxSize {
		return nil, procedo.Errorf(procedo.ETOOLARGE, "La segnatura supera la dimensione massima di %d KB.", MaxSize>>10)
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	if err := precheck(b); err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	doc.ReadSettings.MaxDepth = maxDepth + 1
	if err := doc.ReadFromBytes(b); err != nil {
		return nil, invalidCause(err, "La segnatura non è un documento XML ben formato.")
	}
	if doc.Root() == nil {
		return nil, invalid("La segnatura è vuota.")
	}
	return doc, nil
}

// precheck streams b once with encoding/xml in strict mode before etree builds
// the tree, so the tree is only built from input that passed every check.
func precheck(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	badEncoding := false
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "utf8", "us-ascii", "ascii": // subsets or spellings of UTF-8
			return r, nil
		}
		badEncoding = true
		return nil, errEncoding
	}
	depth, roots := 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if badEncoding {
			return invalid("La segnatura deve essere codificata in UTF-8.")
		}
		if err != nil {
			return invalidCause(err, "La segnatura non è un documento XML ben formato.")
		}
		switch t := tok.(type) {
		case xml.Directive:
			return invalid("La segnatura contiene una dichiarazione DOCTYPE o ENTITY, che non è ammessa.")
		case xml.StartElement:
			depth++
			if depth > maxDepth {
				return invalid("La segnatura ha elementi annidati oltre %d livelli.", maxDepth)
			}
			if depth == 1 {
				roots++
				if roots > 1 {
					return invalid("La segnatura non è un documento XML ben formato.")
				}
			}
			seen := make(map[xml.Name]bool, len(t.Attr))
			for _, a := range t.Attr {
				if seen[a.Name] {
					return invalid("La segnatura ripete l'attributo %s in uno stesso elemento.", shorten(a.Name.Local))
				}
				seen[a.Name] = true
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return invalid("La segnatura contiene testo fuori dall'elemento principale.")
			}
		}
	}
	if roots == 0 {
		return invalid("La segnatura è vuota.")
	}
	return nil
}

// isProt reports whether e is the element prot:tag of the segnatura namespace,
// whatever prefix the sender chose.
func isProt(e *etree.Element, tag string) bool {
	return e.Tag == tag && e.NamespaceURI() == Namespace
}

// isNS reports whether e is the element tag in namespace ns.
func isNS(e *etree.Element, ns, tag string) bool {
	return e.Tag == tag && e.NamespaceURI() == ns
}

// children returns the child elements prot:tag of e.
func children(e *etree.Element, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range e.ChildElements() {
		if isProt(c, tag) {
			out = append(out, c)
		}
	}
	return out
}

// optional returns the only child prot:tag of e, nil if there is none, and an
// error if there are several; path names e in messages.
func optional(e *etree.Element, path, tag string) (*etree.Element, error) {
	cs := children(e, tag)
	switch len(cs) {
	case 0:
		return nil, nil
	case 1:
		return cs[0], nil
	}
	return nil, invalid("Nella segnatura l'elemento %s è ripetuto.", join(path, tag))
}

// required returns the only child prot:tag of e, or an error.
func required(e *etree.Element, path, tag string) (*etree.Element, error) {
	c, err := optional(e, path, tag)
	if err == nil && c == nil {
		err = invalid("Nella segnatura manca l'elemento %s.", join(path, tag))
	}
	return c, err
}

// requiredText returns the text of the only child prot:tag of e.
func requiredText(e *etree.Element, path, tag string) (string, error) {
	c, err := required(e, path, tag)
	if err != nil {
		return "", err
	}
	return textOf(c, join(path, tag))
}

// optionalText returns the text of the child prot:tag of e, "" if absent.
func optionalText(e *etree.Element, path, tag string) (string, error) {
	c, err := optional(e, path, tag)
	if err != nil || c == nil {
		return "", err
	}
	return textOf(c, join(path, tag))
}

// textOf returns the character data of a simple-content element, refusing
// child elements (the schema allows none there).
func textOf(e *etree.Element, path string) (string, error) {
	var s strings.Builder
	for _, t := range e.Child {
		switch t := t.(type) {
		case *etree.CharData:
			s.WriteString(t.Data)
		case *etree.Element:
			return "", invalid("Nella segnatura l'elemento %s non deve contenere altri elementi.", path)
		}
	}
	return s.String(), nil
}

// attrOf returns the attribute name of e. The schema qualifies attributes
// (prot:nomeFile); unqualified ones, which some senders write, are accepted too.
func attrOf(e *etree.Element, name string) (string, bool) {
	for _, a := range e.Attr {
		if a.Key == name && a.Space != "" && a.Space != "xmlns" && a.NamespaceURI() == Namespace {
			return a.Value, true
		}
	}
	for _, a := range e.Attr {
		if a.Key == name && a.Space == "" {
			return a.Value, true
		}
	}
	return "", false
}

func join(path, tag string) string {
	if path == "" {
		return tag
	}
	return fmt.Sprintf("%s/%s", path, tag)
}
