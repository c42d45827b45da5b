// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

// Package pdf renders a procedo.PrintDocument (receipts, decisions) as an A4 PDF
// with github.com/go-pdf/fpdf and the built-in Helvetica, so no font files ship
// with procedo. It owns typography and layout only: the wording comes from the
// domain. It must not read the clock or anything else that varies, because the
// same document has to give the same bytes (its SHA-256 identifies it).
package pdf

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/procedo/procedo"
)

// DemoMark is printed on every page of a document with Demo set.
const DemoMark = "DEMO – documento senza valore legale"

// fixedDate is written as the PDF creation and modification date: fpdf would use
// the current time, and a varying date would change the bytes and the hash.
var fixedDate = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Page geometry in millimetres (A4 is 210 × 297).
const (
	marginLeft   = 20.0
	marginRight  = 20.0
	marginTop    = 22.0
	marginBottom = 24.0 // room for the footer below the text
	contentWidth = 210 - marginLeft - marginRight

	labelWidth = 58.0 // left column of a field row
	valueWidth = contentWidth - labelWidth
	lineHeight = 5.0
	rowPadding = 1.2 // above and below the text of a field row

	footerTop      = 17.0 // distance of the footer rule from the bottom edge
	footerMaxLines = 3
	pageLabelWidth = 32.0
)

const font = "Helvetica"

// Renderer renders PrintDocuments as PDF. The zero value is ready to use and safe
// for concurrent use.
type Renderer struct{}

var _ procedo.Renderer = (*Renderer)(nil)

// RenderPDF returns d as an A4 PDF: the issuer header, title and subtitle, then
// each section with its heading, label/value rows and paragraphs, and on every
// page the footer and "Pagina N di M" (plus DemoMark when d.Demo is set). Text
// outside cp1252 is replaced by the nearest look-alike or '?'. The same d always
// gives the same bytes. It returns EINVALID for a nil d, the context's error if
// ctx ends, and EINTERNAL if fpdf fails.
func (r *Renderer) RenderPDF(ctx context.Context, d *procedo.PrintDocument) (_ []byte, err error) {
	defer procedo.Wrap(&err, "pdf.RenderPDF")
	if d == nil {
		return nil, procedo.Errorf(procedo.EINVALID, "Nessun documento da stampare.")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	l := newLayout(d)
	l.f.AddPage()
	l.issuerBlock()
	l.titleBlock()
	for _, s := range d.Sections {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		l.section(s)
	}

	var buf bytes.Buffer
	if err := l.f.Output(&buf); err != nil {
		return nil, &procedo.Error{Code: procedo.EINTERNAL, Message: "Impossibile generare il PDF.", Err: err}
	}
	return buf.Bytes(), nil
}

// layout draws one document; it lives for one RenderPDF call because fpdf's
// translator and document are not safe for concurrent use.
type layout struct {
	f  *fpdf.Fpdf
	tr func(string) string // UTF-8 (already limited to cp1252) to cp1252 bytes
	d  *procedo.PrintDocument
}

func newLayout(d *procedo.PrintDocument) *layout {
	f := fpdf.New("P", "mm", "A4", "")
	l := &layout{f: f, d: d, tr: f.UnicodeTranslatorFromDescriptor("")}

	f.SetCreationDate(fixedDate)
	f.SetModificationDate(fixedDate)
	f.SetCatalogSort(true) // resources in a fixed order, not map order
	f.SetProducer("procedo", false)
	f.SetCreator("procedo", false)
	f.SetTitle(d.Title, true)
	f.SetAuthor(d.Issuer, true)
	f.SetLang("it-IT")

	f.SetMargins(marginLeft, marginTop, marginRight)
	f.SetAutoPageBreak(true, marginBottom)
	f.AliasNbPages("{nb}")
	f.SetHeaderFuncMode(l.pageHeader, true)
	f.SetFooterFunc(l.pageFooter)
	return l
}

// line returns s for a single line of text (line breaks become spaces).
func (l *layout) line(s string) string { return l.tr(toCP1252(s, false)) }

// block returns s for wrapped text, keeping its line breaks.
func (l *layout) block(s string) string { return l.tr(trimLines(toCP1252(s, true))) }

// pageBottom is the y below which body text must not go.
func (l *layout) pageBottom() float64 {
	_, h := l.f.GetPageSize()
	return h - marginBottom
}

// ensure starts a new page unless h millimetres fit on the current one.
func (l *layout) ensure(h float64) {
	if l.f.GetY()+h > l.pageBottom() {
		l.f.AddPage()
	}
}

func (l *layout) pageHeader() {
	f := l.f
	if l.d.Demo {
		l.demoMark()
	}
	if f.PageNo() > 1 {
		// A running header, so a loose page still says whose act it is.
		text := l.d.Issuer
		if l.d.Title != "" {
			if text != "" {
				text += " – "
			}
			text += l.d.Title
		}
		f.SetFont(font, "", 8)
		f.SetTextColor(100, 100, 100)
		f.SetXY(marginLeft, 12)
		f.CellFormat(contentWidth, 4, l.fit(l.line(text), contentWidth), "", 0, "L", false, 0, "")
		f.SetDrawColor(170, 170, 170)
		f.SetLineWidth(0.2)
		f.Line(marginLeft, 17, marginLeft+contentWidth, 17)
	}
}

// demoMark draws DemoMark as a pale diagonal under the page content and as a
// red line at the top, where text extraction finds it too.
func (l *layout) demoMark() {
	f := l.f
	w, h := f.GetPageSize()
	mark := l.line(DemoMark)

	f.SetFont(font, "B", 34)
	f.SetTextColor(242, 205, 205)
	angle := math.Atan2(h, w) * 180 / math.Pi
	f.TransformBegin()
	f.TransformRotate(angle, w/2, h/2)
	_, capHeight := f.GetFontSize()
	f.Text(w/2-f.GetStringWidth(mark)/2, h/2+capHeight/3, mark)
	f.TransformEnd()

	f.SetFont(font, "B", 9)
	f.SetTextColor(180, 30, 30)
	f.SetXY(marginLeft, 6)
	f.CellFormat(contentWidth, 4, mark, "", 0, "C", false, 0, "")
}

func (l *layout) pageFooter() {
	f := l.f
	_, h := f.GetPageSize()
	y := h - footerTop
	f.SetDrawColor(170, 170, 170)
	f.SetLineWidth(0.2)
	f.Line(marginLeft, y, marginLeft+contentWidth, y)

	f.SetFont(font, "", 7.5)
	f.SetTextColor(90, 90, 90)
	textWidth := contentWidth - pageLabelWidth
	lines := f.SplitLines([]byte(l.line(l.d.Footer)), textWidth)
	if len(lines) > footerMaxLines {
		lines = lines[:footerMaxLines]
		lines[footerMaxLines-1] = []byte(l.fit(string(lines[footerMaxLines-1])+l.tr(" …"), textWidth))
	}
	for i, ln := range lines {
		f.SetXY(marginLeft, y+1.5+float64(i)*3.5)
		f.CellFormat(textWidth, 3.5, string(ln), "", 0, "L", false, 0, "")
	}
	f.SetXY(marginLeft+textWidth, y+1.5)
	f.CellFormat(pageLabelWidth, 3.5, fmt.Sprintf("Pagina %d di {nb}", f.PageNo()), "", 0, "R", false, 0, "")
}

// fit shortens s (already cp1252) with an ellipsis until it fits in w
// millimetres with the current font. Core fonts have no kerning, so widths add
// up character by character.
func (l *layout) fit(s string, w float64) string {
	f := l.f
	limit := w - 2*f.GetCellMargin()
	if f.GetStringWidth(s) <= limit {
		return s
	}
	ellipsis := l.tr("…")
	limit -= f.GetStringWidth(ellipsis)
	width := 0.0
	for i := range len(s) {
		width += f.GetStringWidth(s[i : i+1])
		if width > limit {
			return s[:i] + ellipsis
		}
	}
	return s + ellipsis
}

// issuerBlock prints the issuer, its lines and a double rule at the top of the
// first page, in the manner of a municipal letterhead.
func (l *layout) issuerBlock() {
	f := l.f
	if l.d.Issuer == "" && len(l.d.IssuerLines) == 0 {
		return
	}
	if l.d.Issuer != "" {
		f.SetFont(font, "B", 14)
		f.SetTextColor(0, 0, 0)
		f.MultiCell(contentWidth, 6.5, l.block(l.d.Issuer), "", "L", false)
		f.SetY(f.GetY() + 0.8)
	}
	f.SetFont(font, "", 9.5)
	f.SetTextColor(70, 70, 70)
	for _, s := range l.d.IssuerLines {
		f.MultiCell(contentWidth, 4.4, l.block(s), "", "L", false)
	}
	y := f.GetY() + 2.5
	f.SetDrawColor(40, 40, 40)
	f.SetLineWidth(0.6)
	f.Line(marginLeft, y, marginLeft+contentWidth, y)
	f.SetLineWidth(0.2)
	f.Line(marginLeft, y+1, marginLeft+contentWidth, y+1)
	f.SetY(y + 1)
}

func (l *layout) titleBlock() {
	f := l.f
	if l.d.Title == "" && l.d.Subtitle == "" {
		f.SetY(f.GetY() + 6)
		return
	}
	f.SetY(f.GetY() + 9)
	if l.d.Title != "" {
		f.SetFont(font, "B", 16)
		f.SetTextColor(0, 0, 0)
		f.MultiCell(contentWidth, 7.5, l.block(l.d.Title), "", "C", false)
	}
	if l.d.Subtitle != "" {
		f.SetY(f.GetY() + 1)
		f.SetFont(font, "", 11.5)
		f.SetTextColor(50, 50, 50)
		f.MultiCell(contentWidth, 5.5, l.block(l.d.Subtitle), "", "C", false)
	}
	f.SetY(f.GetY() + 8)
}

func (l *layout) section(s procedo.PrintSection) {
	f := l.f
	if s.Heading == "" && len(s.Fields) == 0 && len(s.Paragraphs) == 0 {
		return
	}
	if s.Heading != "" {
		heading := l.block(s.Heading)
		f.SetFont(font, "B", 10.5)
		h := 7 * float64(max(1, len(f.SplitLines([]byte(heading), contentWidth))))
		// Keep the heading with the first lines below it.
		l.ensure(h + 2 + 3*lineHeight)
		f.SetFillColor(230, 235, 242)
		f.SetTextColor(20, 40, 75)
		f.MultiCell(contentWidth, 7, heading, "", "L", true)
		f.SetY(f.GetY() + 1)
	}
	for _, fl := range s.Fields {
		l.row(fl)
	}
	if len(s.Fields) > 0 && len(s.Paragraphs) > 0 {
		f.SetY(f.GetY() + 2)
	}
	for _, p := range s.Paragraphs {
		l.paragraph(p)
	}
	f.SetY(f.GetY() + 5)
}

// row prints a field as a two-column row with wrapped label and value. A row
// taller than a whole page is printed stacked instead, so the value can flow over
// several pages.
func (l *layout) row(fl procedo.PrintField) {
	f := l.f
	label, value := l.block(fl.Label), l.block(fl.Value)
	l.labelFont()
	labelLines := f.SplitLines([]byte(label), labelWidth)
	l.valueFont()
	valueLines := f.SplitLines([]byte(value), valueWidth)
	n := max(1, len(labelLines), len(valueLines))
	h := float64(n)*lineHeight + 2*rowPadding

	if h > l.pageBottom()-marginTop {
		l.stackedRow(label, value)
		return
	}
	l.ensure(h)
	y := f.GetY()
	l.labelFont()
	for i, ln := range labelLines {
		f.SetXY(marginLeft, y+rowPadding+float64(i)*lineHeight)
		f.CellFormat(labelWidth, lineHeight, string(ln), "", 0, "L", false, 0, "")
	}
	l.valueFont()
	for i, ln := range valueLines {
		f.SetXY(marginLeft+labelWidth, y+rowPadding+float64(i)*lineHeight)
		f.CellFormat(valueWidth, lineHeight, string(ln), "", 0, "L", false, 0, "")
	}
	l.rowRule(y + h)
	f.SetXY(marginLeft, y+h)
}

func (l *layout) stackedRow(label, value string) {
	f := l.f
	l.ensure(3 * lineHeight)
	f.SetY(f.GetY() + rowPadding)
	l.labelFont()
	f.MultiCell(contentWidth, lineHeight, label, "", "L", false)
	l.valueFont()
	f.MultiCell(contentWidth, lineHeight, value, "", "L", false)
	y := f.GetY() + rowPadding
	l.rowRule(y)
	f.SetXY(marginLeft, y)
}

func (l *layout) rowRule(y float64) {
	l.f.SetDrawColor(215, 215, 215)
	l.f.SetLineWidth(0.15)
	l.f.Line(marginLeft, y, marginLeft+contentWidth, y)
}

func (l *layout) paragraph(p string) {
	f := l.f
	text := l.block(p)
	if text == "" {
		return
	}
	l.valueFont()
	l.ensure(2 * lineHeight) // no single orphan line at the page bottom
	f.MultiCell(contentWidth, lineHeight, text, "", "L", false)
	f.SetY(f.GetY() + 2)
}

func (l *layout) labelFont() {
	l.f.SetFont(font, "", 9)
	l.f.SetTextColor(85, 85, 85)
}

func (l *layout) valueFont() {
	l.f.SetFont(font, "", 10)
	l.f.SetTextColor(0, 0, 0)
}
