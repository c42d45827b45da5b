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
	Back     bool // it goes back to an earlier state (routed under its source's row)
	Number   int  // 1 + the index of its transition in the workflow; 0 for internal flows
}

// LabelPoint returns where to mark the edge (its number in the web diagram):
// the middle of its last vertical segment, where flows into the same node are
// apart, or of its only segment.
func (e ProcessEdge) LabelPoint() Point {
	n := len(e.Points)
	switch {
	case n < 2:
		return Point{}
	case n == 2:
		a, b := e.Points[0], e.Points[1]
		return Point{(a.X + b.X) / 2, (a.Y + b.Y) / 2}
	}
	a, b := e.Points[n-3], e.Points[n-2]
	return Point{(a.X + b.X) / 2, (a.Y + b.Y) / 2}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
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

// Layout sizes, in diagram units. Every node sits in a cell of a grid; the
// gaps between cells (gapW wide, gapH high) hold no node, so that flows routed
// through them never cross one.
const (
	graphMargin = 30
	taskW       = 130
	taskH       = 64
	gapW        = 50
	gapH        = 50
	colWidth    = taskW + gapW
	rowHeight   = taskH + gapH
	gatewaySize = 50
	eventSize   = 36
)

// Graph lays out the workflow of def (the default workflow if it has none),
// left to right: the start event, each state in the column of its distance
// from submitted, its gateway in the next column on the same row, the final
// states in the last column. Forward flows run in the gaps between cells;
// flows back to an earlier state run in the gap under their source's row.
func (d *ProcedureDefinition) Graph() *ProcessGraph {
	w := d.Flow()
	g := &ProcessGraph{}
	rank := map[CaseStatus]int{CaseSubmitted: 0}
	queue := []CaseStatus{CaseSubmitted}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		for _, t := range w.Transitions {
			if t.From == st {
				if _, ok := rank[t.To]; !ok {
					rank[t.To] = rank[st] + 1
					queue = append(queue, t.To)
				}
			}
		}
	}
	maxRank := 0
	for _, st := range w.States {
		if !w.Final(st.Name) {
			maxRank = max(maxRank, rank[st.Name])
		}
	}
	outCount := map[CaseStatus]int{}
	for _, t := range w.Transitions {
		outCount[t.From]++
	}
	cellX := func(col int) int { return graphMargin + col*colWidth }
	// The first row leaves room above it for the flows routed in its gap.
	cellY := func(row int) int { return graphMargin + gapH/2 + row*rowHeight }
	where := map[string]gridCell{}
	rows := map[int]int{}
	place := func(n ProcessNode, col, row int) {
		n.X = cellX(col) + (taskW-n.W)/2
		n.Y = cellY(row) + (taskH-n.H)/2
		where[n.ID] = gridCell{col, row}
		rows[col] = max(rows[col], row+1)
		g.Nodes = append(g.Nodes, n)
	}
	place(ProcessNode{ID: "start", Kind: NodeStart, Label: "Istanza presentata", W: eventSize, H: eventSize}, 0, 0)
	endCol := 1 + 2*(maxRank+1)
	nodeOf := map[CaseStatus]string{}
	exitOf := map[CaseStatus]string{}
	for _, st := range w.States {
		label := st.Label
		if label == "" {
			label = st.Name.Label()
		}
		if w.Final(st.Name) && st.Name != CaseSubmitted {
			id := "end_" + string(st.Name)
			place(ProcessNode{ID: id, Kind: NodeEnd, Label: label, State: st.Name, Phase: st.Phase, W: eventSize, H: eventSize}, endCol, rows[endCol])
			nodeOf[st.Name] = id
			continue
		}
		r, ok := rank[st.Name]
		if !ok {
			r = maxRank // unreachable states (refused by Validate) still get drawn
		}
		col := 1 + 2*r
		row := rows[col]
		id := "state_" + string(st.Name)
		place(ProcessNode{ID: id, Kind: NodeTask, Label: label, State: st.Name, Phase: st.Phase, W: taskW, H: taskH}, col, row)
		nodeOf[st.Name], exitOf[st.Name] = id, id
		if outCount[st.Name] > 1 {
			gw := "gw_" + string(st.Name)
			place(ProcessNode{ID: gw, Kind: NodeGateway, State: st.Name, W: gatewaySize, H: gatewaySize}, col+1, row)
			exitOf[st.Name] = gw
		}
	}
	nrows := 0
	for _, n := range rows {
		nrows = max(nrows, n)
	}
	g.Width = cellX(endCol) + taskW + graphMargin
	g.Height = cellY(nrows) + graphMargin + 10 // room for the labels under the end events and the last gap
	nodes := map[string]ProcessNode{}
	for _, n := range g.Nodes {
		nodes[n.ID] = n
	}
	occupied := func(col, row int) bool {
		for _, c := range where {
			if c.col == col && c.row == row {
				return true
			}
		}
		return false
	}
	// Flows sharing a gap are spread apart a little.
	gapUse := map[int]int{}      // column of the gap on its left → flows using it
	corridorUse := map[int]int{} // row of the gap above it → flows using it
	spread := func(used map[int]int, k int) int {
		n := used[k]
		used[k]++
		return (n % 5) * 5
	}
	// Flows entering a task enter its left side at different heights.
	incoming, entered := map[string]int{}, map[string]int{}
	for _, t := range w.Transitions {
		incoming[nodeOf[t.To]]++
	}
	incoming[nodeOf[CaseSubmitted]]++
	edge := func(id, from, to string, t *Transition, number int) {
		a, b := nodes[from], nodes[to]
		ca, cb := where[from], where[to]
		e := ProcessEdge{ID: id, From: from, To: to, Number: number}
		if t != nil {
			dt := derive(*t)
			e.Label, e.Roles, e.Action = dt.Label, dt.Roles, &dt
		}
		src := Point{a.X + a.W, a.CenterY()}
		dst := Point{b.X, b.CenterY()}
		if b.Kind == NodeTask && incoming[to] > 1 {
			dst.Y = b.Y + (entered[to]+1)*b.H/(incoming[to]+1)
			entered[to]++
		}
		switch {
		case cb.col > ca.col && cb.row == ca.row && src.Y == dst.Y && !blocked(ca, cb, occupied):
			e.Points = []Point{src, dst}
		case cb.col == ca.col+1:
			gx := cellX(cb.col) - gapW/2 + spread(gapUse, cb.col) - 10
			e.Points = []Point{src, {gx, src.Y}, {gx, dst.Y}, dst}
		case cb.col > ca.col:
			gx1 := cellX(ca.col+1) - gapW/2 + spread(gapUse, ca.col+1) - 10
			cy := cellY(cb.row) - gapH/2 + spread(corridorUse, cb.row) - 10
			gx2 := cellX(cb.col) - gapW/2 + spread(gapUse, cb.col) - 10
			e.Points = []Point{src, {gx1, src.Y}, {gx1, cy}, {gx2, cy}, {gx2, dst.Y}, dst}
		default:
			// Back to an earlier (or the same) column: down into the gap under
			// the source's row, left, then into the target from its left.
			e.Back = true
			down := Point{a.CenterX(), a.Y + a.H}
			cy := cellY(ca.row+1) - gapH/2 + spread(corridorUse, ca.row+1) - 10
			gx := cellX(cb.col) - gapW/2 + spread(gapUse, cb.col) - 10
			e.Points = []Point{down, {down.X, cy}, {gx, cy}, {gx, dst.Y}, dst}
		}
		g.Edges = append(g.Edges, e)
	}
	if id, ok := nodeOf[CaseSubmitted]; ok {
		edge("flow_start", "start", id, nil, 0)
	}
	for _, st := range w.States {
		if gw, ok := exitOf[st.Name]; ok && gw != nodeOf[st.Name] {
			edge("flow_"+string(st.Name)+"_choice", nodeOf[st.Name], gw, nil, 0)
		}
	}
	for i, t := range w.Transitions {
		from, okFrom := exitOf[t.From]
		to, okTo := nodeOf[t.To]
		if !okFrom || !okTo {
			continue
		}
		edge("flow_"+strconv.Itoa(i+1)+"_"+t.Name, from, to, &t, i+1)
	}
	return g
}

// gridCell is the position of a node in the layout grid.
type gridCell struct{ col, row int }

// blocked reports whether a cell strictly between a and b on their row holds
// a node.
func blocked(a, b gridCell, occupied func(col, row int) bool) bool {
	for c := a.col + 1; c < b.col; c++ {
		if occupied(c, a.row) {
			return true
		}
	}
	return false
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
