// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"strconv"
	"strings"
)

// Kinds of the nodes of a ProcessGraph (the BPMN element each becomes).
const (
	NodeStart   = "start"   // startEvent: the application is submitted
	NodeTask    = "task"    // userTask: the case waits in a state for someone to act
	NodeGateway = "gateway" // exclusiveGateway: one of several actions is chosen
	NodeEnd     = "end"     // endEvent: a final state
)

// ProcessNode is a laid-out node of a workflow diagram.
type ProcessNode struct {
	ID         string     // XML-safe identifier, unique in the graph
	Kind       string     // NodeStart, NodeTask, NodeGateway, NodeEnd
	Label      string     // Italian text
	State      CaseStatus // the state it stands for ("" for start and gateways)
	Phase      string     // Allegato 5 phase of the state
	X, Y, W, H int        // bounds, in diagram units (pixels)
}

// CenterX returns the horizontal centre of n.
func (n ProcessNode) CenterX() int { return n.X + n.W/2 }

// CenterY returns the vertical centre of n.
func (n ProcessNode) CenterY() int { return n.Y + n.H/2 }

// Point is a waypoint of an edge.
type Point struct{ X, Y int }

// ProcessEdge is a laid-out sequence flow of a workflow diagram.
type ProcessEdge struct {
	ID       string      // XML-safe identifier
	From, To string      // node IDs
	Label    string      // the transition's label; "" for internal flows
	Roles    []Role      // who may take it
	Action   *Transition // the transition it draws; nil for internal flows
	Points   []Point
	Back     bool // it goes back to an earlier state (drawn below the diagram)
}

// LabelPoint returns where to write the edge's label: near the middle of its
// first horizontal segment.
func (e ProcessEdge) LabelPoint() Point {
	if len(e.Points) < 2 {
		return Point{}
	}
	a, b := e.Points[0], e.Points[1]
	if e.Back && len(e.Points) >= 3 {
		a, b = e.Points[1], e.Points[2]
		return Point{(a.X + b.X) / 2, a.Y + 14}
	}
	return Point{(a.X + b.X) / 2, a.Y - 6}
}

// ProcessGraph is a model's workflow as a process diagram: a start event, a
// task per non-final state, an exclusive gateway after each state with several
// actions, an end event per final state, laid out left to right. Both the SVG
// of the web pages and the BPMN export draw it.
type ProcessGraph struct {
	Nodes         []ProcessNode
	Edges         []ProcessEdge
	Width, Height int
}

// Node returns the node with id.
func (g *ProcessGraph) Node(id string) (ProcessNode, bool) {
	for _, n := range g.Nodes {
		if n.ID == id {
			return n, true
		}
	}
	return ProcessNode{}, false
}

// Layout sizes, in diagram units.
const (
	graphMargin = 30
	colWidth    = 170
	rowHeight   = 110
	taskW       = 130
	taskH       = 64
	gatewaySize = 50
	eventSize   = 36
)

// Graph lays out the workflow of def (the default workflow if it has none).
func (d *ProcedureDefinition) Graph() *ProcessGraph {
	w := d.Flow()
	g := &ProcessGraph{}
	// Rank states by breadth-first distance from submitted.
	rank := map[CaseStatus]int{CaseSubmitted: 0}
	queue := []CaseStatus{CaseSubmitted}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, t := range w.Transitions {
			if t.From == s {
				if _, ok := rank[t.To]; !ok {
					rank[t.To] = rank[s] + 1
					queue = append(queue, t.To)
				}
			}
		}
	}
	maxRank := 0
	for _, s := range w.States {
		if !w.Final(s.Name) {
			maxRank = max(maxRank, rank[s.Name])
		}
	}
	outCount := map[CaseStatus]int{}
	for _, t := range w.Transitions {
		outCount[t.From]++
	}
	// Columns: 0 start; state of rank r at 1+2r, its gateway at 2+2r; final
	// states in the last column.
	rows := map[int]int{}
	place := func(n ProcessNode, col int) ProcessNode {
		row := rows[col]
		rows[col]++
		// Nodes of a cell share its centre, so that flows between nodes of
		// one row are straight.
		n.X = graphMargin + col*colWidth + taskW/2 - n.W/2
		n.Y = graphMargin + row*rowHeight + taskH/2 - n.H/2
		return n
	}
	g.Nodes = append(g.Nodes, place(ProcessNode{ID: "start", Kind: NodeStart, Label: "Istanza presentata", W: eventSize, H: eventSize}, 0))
	endCol := 1 + 2*(maxRank+1)
	nodeOf := map[CaseStatus]string{}
	exitOf := map[CaseStatus]string{}
	for _, s := range w.States {
		label := s.Label
		if label == "" {
			label = s.Name.Label()
		}
		if w.Final(s.Name) && s.Name != CaseSubmitted {
			id := "end_" + string(s.Name)
			g.Nodes = append(g.Nodes, place(ProcessNode{ID: id, Kind: NodeEnd, Label: label, State: s.Name, Phase: s.Phase, W: eventSize, H: eventSize}, endCol))
			nodeOf[s.Name] = id
			continue
		}
		r, ok := rank[s.Name]
		if !ok {
			r = maxRank // unreachable states (rejected by Validate) still get drawn
		}
		id := "state_" + string(s.Name)
		g.Nodes = append(g.Nodes, place(ProcessNode{ID: id, Kind: NodeTask, Label: label, State: s.Name, Phase: s.Phase, W: taskW, H: taskH}, 1+2*r))
		nodeOf[s.Name], exitOf[s.Name] = id, id
		if outCount[s.Name] > 1 {
			gw := "gw_" + string(s.Name)
			g.Nodes = append(g.Nodes, place(ProcessNode{ID: gw, Kind: NodeGateway, Label: "", State: s.Name, W: gatewaySize, H: gatewaySize}, 2+2*r))
			exitOf[s.Name] = gw
		}
	}
	for i := range g.Nodes {
		g.Width = max(g.Width, g.Nodes[i].X+g.Nodes[i].W+graphMargin)
		g.Height = max(g.Height, g.Nodes[i].Y+g.Nodes[i].H+graphMargin)
	}
	nodes := map[string]ProcessNode{}
	for _, n := range g.Nodes {
		nodes[n.ID] = n
	}
	back := 0
	edge := func(id, from, to string, t *Transition) {
		a, b := nodes[from], nodes[to]
		e := ProcessEdge{ID: id, From: from, To: to}
		if t != nil {
			d := derive(*t)
			e.Label, e.Roles, e.Action = d.Label, d.Roles, &d
		}
		switch {
		case b.X > a.X+a.W/2:
			p0 := Point{a.X + a.W, a.CenterY()}
			p3 := Point{b.X, b.CenterY()}
			if p0.Y == p3.Y {
				e.Points = []Point{p0, p3}
			} else {
				mx := b.X - 20
				e.Points = []Point{p0, {mx, p0.Y}, {mx, p3.Y}, p3}
			}
		default:
			// Back (or same-column) flows run below the diagram.
			back++
			low := g.Height + back*18
			e.Back = true
			e.Points = []Point{{a.CenterX(), a.Y + a.H}, {a.CenterX(), low}, {b.CenterX(), low}, {b.CenterX(), b.Y + b.H}}
		}
		g.Edges = append(g.Edges, e)
	}
	if id, ok := nodeOf[CaseSubmitted]; ok {
		edge("flow_start", "start", id, nil)
	}
	for _, s := range w.States {
		if gw, ok := exitOf[s.Name]; ok && gw != nodeOf[s.Name] {
			edge("flow_"+string(s.Name)+"_choice", nodeOf[s.Name], gw, nil)
		}
	}
	for i, t := range w.Transitions {
		from, okFrom := exitOf[t.From]
		to, okTo := nodeOf[t.To]
		if !okFrom || !okTo {
			continue
		}
		edge("flow_"+strconv.Itoa(i+1)+"_"+t.Name, from, to, &t)
	}
	g.Height += back*18 + 10
	return g
}

// TransitionSummary describes in Italian what an action does: who may take it,
// whether it needs a reason, the document and protocol registration it
// produces, the notice to the applicant and the effect on the term.
func TransitionSummary(t Transition) string {
	roles := make([]string, len(t.Roles))
	for i, r := range t.Roles {
		roles[i] = strings.ToLower(r.Label())
	}
	parts := []string{"Chi: " + strings.Join(roles, ", ")}
	if t.NeedsReason {
		parts = append(parts, "richiede una motivazione")
	}
	if t.Document != "" {
		doc := "produce " + DocumentLabel(t.Document)
		if t.Register {
			doc += ", protocollato in uscita"
		}
		parts = append(parts, doc)
	}
	if t.NotifyApplicant {
		parts = append(parts, "avvisa il richiedente")
	}
	if l := t.Clock.Label(); l != "" {
		parts = append(parts, l)
	}
	return strings.Join(parts, "; ") + "."
}

// DocumentLabel names a document key of a model in Italian.
func DocumentLabel(key string) string {
	switch key {
	case DocDecision:
		return "il provvedimento"
	case DocStartNotice:
		return "la comunicazione di avvio del procedimento"
	case DocIntegrationRequest:
		return "la richiesta di integrazioni"
	case DocNotice10bis:
		return "il preavviso di rigetto"
	case DocReceipt:
		return "la ricevuta"
	}
	return "il documento «" + key + "»"
}
