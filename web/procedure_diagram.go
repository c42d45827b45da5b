// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/procedo/procedo"
)

// diagramView is what the workflow_diagram partial draws: the workflow of a
// model as an inline SVG (no script, no style attributes) and, for people who
// cannot see it, the same content as text.
type diagramView struct {
	ID     string // prefix of the element ids, unique in the page
	Title  string // accessible name of the figure
	Width  int
	Height int
	Nodes  []svgNode
	Edges  []svgEdge
	Steps  []workflowStep // the text alternative
}

// svgNode is one node with its label split into lines.
type svgNode struct {
	procedo.ProcessNode
	Lines []svgLine
}

// svgLine is one line of a label, with its position.
type svgLine struct {
	X, Y int
	Text string
}

// svgEdge is one flow: its polyline and the number of its action, drawn at
// (NX, NY) and explained in the text alternative.
type svgEdge struct {
	Points string
	Label  string // the action's label, for the number's tooltip
	Number int    // 0 for internal flows
	NX, NY int
}

// workflowStep describes one state and the actions that leave it.
type workflowStep struct {
	Label   string
	Phase   string
	Outcome string // for final states
	Actions []workflowAction
}

// workflowAction describes one transition in words.
type workflowAction struct {
	Number  int // as drawn on the diagram
	Label   string
	To      string
	Summary string
}

// newDiagram lays out the workflow of def for drawing.
func newDiagram(id string, def *procedo.ProcedureDefinition) *diagramView {
	g := def.Graph()
	d := &diagramView{ID: id, Title: "Flusso di lavoro: " + def.Title, Width: g.Width, Height: g.Height}
	for _, n := range g.Nodes {
		sn := svgNode{ProcessNode: n}
		var lines []string
		switch n.Kind {
		case procedo.NodeTask:
			lines = wrapLabel(n.Label, 18)
			y := n.CenterY() - (len(lines)-1)*7 + 4
			for i, l := range lines {
				sn.Lines = append(sn.Lines, svgLine{X: n.CenterX(), Y: y + i*14, Text: l})
			}
		case procedo.NodeStart, procedo.NodeEnd:
			lines = wrapLabel(n.Label, 16)
			for i, l := range lines {
				sn.Lines = append(sn.Lines, svgLine{X: n.CenterX(), Y: n.Y + n.H + 14 + i*13, Text: l})
			}
		}
		d.Nodes = append(d.Nodes, sn)
	}
	for _, e := range g.Edges {
		pts := make([]string, len(e.Points))
		for i, p := range e.Points {
			pts[i] = strconv.Itoa(p.X) + "," + strconv.Itoa(p.Y)
		}
		lp := e.LabelPoint()
		d.Edges = append(d.Edges, svgEdge{Points: strings.Join(pts, " "), Label: e.Label, Number: e.Number, NX: lp.X, NY: lp.Y})
	}
	w := def.Flow()
	for _, s := range w.States {
		step := workflowStep{Label: def.StateLabel(s.Name), Phase: s.Phase}
		if w.Final(s.Name) {
			step.Outcome = s.Name.Outcome()
		}
		for i, t := range w.Transitions {
			if t.From == s.Name {
				t.Decision = t.Document == procedo.DocDecision
				step.Actions = append(step.Actions, workflowAction{Number: i + 1, Label: t.Label, To: def.StateLabel(t.To), Summary: procedo.TransitionSummary(t)})
			}
		}
		d.Steps = append(d.Steps, step)
	}
	return d
}

// wrapLabel splits s into lines of at most max characters, at spaces.
func wrapLabel(s string, max int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = w
		case len([]rune(cur))+1+len([]rune(w)) <= max:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = w
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	if len(lines) > 3 {
		lines = append(lines[:2], shorten(strings.Join(lines[2:], " "), max))
	}
	return lines
}

// shorten cuts s to max characters with an ellipsis.
func shorten(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max-1]) + "…"
}

// phaseLabel names an Allegato 5 phase in Italian.
func phaseLabel(p string) string {
	switch p {
	case procedo.PhasePreparatory:
		return "fase preparatoria"
	case procedo.PhaseInquiry:
		return "fase istruttoria"
	case procedo.PhaseConsultive:
		return "fase consultiva"
	case procedo.PhaseDecision:
		return "fase decisoria"
	case procedo.PhaseEfficacy:
		return "fase di integrazione dell'efficacia"
	}
	return p
}

// gatewayPoints returns the diamond of a gateway node.
func gatewayPoints(n procedo.ProcessNode) string {
	return fmt.Sprintf("%d,%d %d,%d %d,%d %d,%d", n.CenterX(), n.Y, n.X+n.W, n.CenterY(), n.CenterX(), n.Y+n.H, n.X, n.CenterY())
}

func init() {
	funcs["phaseLabel"] = phaseLabel
	funcs["gatewayPoints"] = gatewayPoints
	funcs["half"] = func(n int) int { return n / 2 }
	funcs["euro"] = procedo.FormatEuro
	funcs["docLabel"] = procedo.DocumentLabel
}
