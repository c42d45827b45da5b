// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package library

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/procedo/procedo"
)

// BPMN 2.0 namespaces (OMG, 20100524).
const (
	nsBPMN   = "http://www.omg.org/spec/BPMN/20100524/MODEL"
	nsBPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
	nsDC     = "http://www.omg.org/spec/DD/20100524/DC"
	nsDI     = "http://www.omg.org/spec/DD/20100524/DI"
)

// WorkflowBPMN returns the workflow of def as a BPMN 2.0 XML document that
// standard modellers open and draw: a process with a start event, a user task
// per state in which the case waits, an exclusive gateway where several
// actions are possible, an end event per outcome and a sequence flow per
// action, plus the diagram section (a shape per node, an edge per flow) laid
// out like the diagram of the web pages. Roles, phases, documents and clock
// effects go in documentation elements.
func WorkflowBPMN(def *procedo.ProcedureDefinition) ([]byte, error) {
	g := def.Graph()
	var b bytes.Buffer
	esc := func(s string) string {
		var e bytes.Buffer
		_ = xml.EscapeText(&e, []byte(s)) // writing to a bytes.Buffer cannot fail
		return e.String()
	}
	pid := "Process_" + def.ID
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="%s" xmlns:bpmndi="%s" xmlns:dc="%s" xmlns:di="%s" id="Definitions_%s" targetNamespace="urn:procedo:procedure:%s" exporter="procedo" exporterVersion="%s">
`, nsBPMN, nsBPMNDI, nsDC, nsDI, def.ID, def.ID, esc(procedo.Version))
	fmt.Fprintf(&b, `  <bpmn:process id="%s" name="%s" isExecutable="false">
    <bpmn:documentation>%s</bpmn:documentation>
`, pid, esc(def.Title), esc(processDoc(def)))
	incoming, outgoing := map[string][]string{}, map[string][]string{}
	for _, e := range g.Edges {
		outgoing[e.From] = append(outgoing[e.From], e.ID)
		incoming[e.To] = append(incoming[e.To], e.ID)
	}
	refs := func(n procedo.ProcessNode) string {
		var s strings.Builder
		for _, id := range incoming[n.ID] {
			fmt.Fprintf(&s, "      <bpmn:incoming>%s</bpmn:incoming>\n", id)
		}
		for _, id := range outgoing[n.ID] {
			fmt.Fprintf(&s, "      <bpmn:outgoing>%s</bpmn:outgoing>\n", id)
		}
		return s.String()
	}
	for _, n := range g.Nodes {
		var el, doc string
		switch n.Kind {
		case procedo.NodeStart:
			el = "startEvent"
		case procedo.NodeTask:
			el = "userTask"
			doc = "Stato " + string(n.State) + "; fase " + n.Phase + " (Allegato 5)."
		case procedo.NodeGateway:
			el = "exclusiveGateway"
		case procedo.NodeEnd:
			el = "endEvent"
			doc = "Esito: " + n.State.Outcome() + "; fase " + n.Phase + " (Allegato 5)."
		}
		fmt.Fprintf(&b, "    <bpmn:%s id=\"%s\"", el, n.ID)
		if n.Label != "" {
			fmt.Fprintf(&b, " name=\"%s\"", esc(n.Label))
		}
		b.WriteString(">\n")
		if doc != "" {
			fmt.Fprintf(&b, "      <bpmn:documentation>%s</bpmn:documentation>\n", esc(doc))
		}
		b.WriteString(refs(n))
		fmt.Fprintf(&b, "    </bpmn:%s>\n", el)
	}
	for _, e := range g.Edges {
		fmt.Fprintf(&b, "    <bpmn:sequenceFlow id=\"%s\" sourceRef=\"%s\" targetRef=\"%s\"", e.ID, e.From, e.To)
		if e.Label != "" {
			fmt.Fprintf(&b, " name=\"%s\"", esc(e.Label))
		}
		if e.Action != nil {
			doc := procedo.TransitionSummary(*e.Action)
			fmt.Fprintf(&b, ">\n      <bpmn:documentation>%s</bpmn:documentation>\n    </bpmn:sequenceFlow>\n", esc(doc))
		} else {
			b.WriteString("/>\n")
		}
	}
	b.WriteString("  </bpmn:process>\n")
	fmt.Fprintf(&b, "  <bpmndi:BPMNDiagram id=\"Diagram_%s\" name=\"%s\">\n    <bpmndi:BPMNPlane id=\"Plane_%s\" bpmnElement=\"%s\">\n",
		def.ID, esc(def.Title), def.ID, pid)
	for _, n := range g.Nodes {
		marker := ""
		if n.Kind == procedo.NodeGateway {
			marker = ` isMarkerVisible="true"`
		}
		fmt.Fprintf(&b, "      <bpmndi:BPMNShape id=\"%s_di\" bpmnElement=\"%s\"%s>\n        <dc:Bounds x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
			n.ID, n.ID, marker, n.X, n.Y, n.W, n.H)
		if n.Kind == procedo.NodeStart || n.Kind == procedo.NodeEnd {
			// Event labels sit under the circle.
			fmt.Fprintf(&b, "        <bpmndi:BPMNLabel>\n          <dc:Bounds x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n        </bpmndi:BPMNLabel>\n",
				n.CenterX()-50, n.Y+n.H+4, 100, 28)
		}
		b.WriteString("      </bpmndi:BPMNShape>\n")
	}
	for _, e := range g.Edges {
		fmt.Fprintf(&b, "      <bpmndi:BPMNEdge id=\"%s_di\" bpmnElement=\"%s\">\n", e.ID, e.ID)
		for _, p := range e.Points {
			fmt.Fprintf(&b, "        <di:waypoint x=\"%d\" y=\"%d\"/>\n", p.X, p.Y)
		}
		b.WriteString("      </bpmndi:BPMNEdge>\n")
	}
	b.WriteString("    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>\n</bpmn:definitions>\n")
	return b.Bytes(), nil
}

// processDoc summarises the legal regime for the process documentation.
func processDoc(def *procedo.ProcedureDefinition) string {
	s := fmt.Sprintf("%s. Termine: %s. %s", def.Summary, procedo.FormatDays(def.TermDays), def.SilenceLabel())
	if len(def.LegalReferences) > 0 {
		s += " Riferimenti: " + strings.Join(def.LegalReferences, "; ") + "."
	}
	return strings.TrimSpace(s)
}
