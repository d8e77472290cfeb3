package web

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// ChartKind is how a [Chart] draws its points.
type ChartKind int

const (
	// Bars draws one bar per point.
	Bars ChartKind = iota
	// Line joins the points with a line and marks each.
	Line
)

// Point is one value of a chart, with its label on the x axis.
type Point struct {
	Label string
	Value float64
}

// Chart is a chart drawn as SVG on the server: no script, no third-party
// library, readable by screen readers (its title and a table-like
// description) and styled by the console's CSS classes (chart-*).
type Chart struct {
	Kind  ChartKind
	Title string // the chart's accessible name, also drawn above it
	Unit  string // what the values count, drawn along the y axis ("calls")
	// Points are drawn left to right. Negative values are drawn as 0.
	Points []Point
	// Marks are horizontal reference lines across the plot (a budget, its
	// warning thresholds), each labelled at its right end.
	Marks []Point
	// Width and Height are the SVG's viewBox; the SVG scales to its box.
	// Default: 640 by 260.
	Width, Height int
}

// Layout of the plot inside the viewBox.
const (
	chartLeft   = 56 // room for the y tick labels
	chartRight  = 12
	chartTop    = 34 // room for the title
	chartBottom = 30 // room for the x labels
	chartTicks  = 4  // y grid lines above 0, at most
	charWidth   = 7  // an x label character's width, to space the labels
)

// SVG draws the chart. Texts are escaped; an empty chart draws its axes.
func (c Chart) SVG() template.HTML {
	w, h := c.Width, c.Height
	if w <= 0 {
		w = 640
	}
	if h <= 0 {
		h = 260
	}
	plotW, plotH := float64(w-chartLeft-chartRight), float64(h-chartTop-chartBottom)
	top, step := niceScale(c.max())
	esc := template.HTMLEscapeString
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s">`, w, h, esc(c.Title))
	fmt.Fprintf(&b, `<title>%s</title><desc>%s</desc>`, esc(c.Title), esc(c.describe()))
	fmt.Fprintf(&b, `<text class="chart-title" x="%d" y="20">%s</text>`, chartLeft, esc(c.Title))
	// The y axis: grid lines and their values, the unit along it.
	for i := 0; i <= int(math.Round(top/step)); i++ {
		v := float64(i) * step
		y := float64(chartTop) + plotH - v/top*plotH
		fmt.Fprintf(&b, `<line class="chart-grid" x1="%d" y1="%s" x2="%d" y2="%s"/>`, chartLeft, num(y), w-chartRight, num(y))
		fmt.Fprintf(&b, `<text class="chart-tick" x="%d" y="%s" text-anchor="end">%s</text>`, chartLeft-6, num(y+4), esc(formatValue(v)))
	}
	if c.Unit != "" {
		fmt.Fprintf(&b, `<text class="chart-unit" transform="translate(14 %s) rotate(-90)" text-anchor="middle">%s</text>`,
			num(float64(chartTop)+plotH/2), esc(c.Unit))
	}
	fmt.Fprintf(&b, `<line class="chart-axis" x1="%d" y1="%s" x2="%d" y2="%s"/>`, chartLeft, num(float64(chartTop)+plotH), w-chartRight, num(float64(chartTop)+plotH))
	// The points, and one x label in every `every` so that labels do not
	// overlap.
	n := len(c.Points)
	if n > 0 {
		slot := plotW / float64(n)
		every := 1
		if longest := c.longestLabel(); longest > 0 {
			every = int(math.Ceil(float64(longest*charWidth+8) / slot))
		}
		var line []string
		for i, p := range c.Points {
			v := max(p.Value, 0)
			cx := float64(chartLeft) + slot*(float64(i)+0.5)
			y := float64(chartTop) + plotH - v/top*plotH
			label := esc(p.Label + ": " + formatValue(v))
			switch c.Kind {
			case Line:
				line = append(line, num(cx)+","+num(y))
				fmt.Fprintf(&b, `<circle class="chart-dot" cx="%s" cy="%s" r="3"><title>%s</title></circle>`, num(cx), num(y), label)
			default:
				bw := slot * 0.7
				fmt.Fprintf(&b, `<rect class="chart-bar" x="%s" y="%s" width="%s" height="%s"><title>%s</title></rect>`,
					num(cx-bw/2), num(y), num(bw), num(float64(chartTop)+plotH-y), label)
			}
			if i%every == 0 {
				fmt.Fprintf(&b, `<text class="chart-label" x="%s" y="%d" text-anchor="middle">%s</text>`, num(cx), h-10, esc(p.Label))
			}
		}
		if c.Kind == Line {
			fmt.Fprintf(&b, `<polyline class="chart-line" fill="none" points="%s"/>`, strings.Join(line, " "))
		}
	}
	for _, m := range c.Marks {
		y := float64(chartTop) + plotH - max(m.Value, 0)/top*plotH
		fmt.Fprintf(&b, `<line class="chart-mark" x1="%d" y1="%s" x2="%d" y2="%s"><title>%s</title></line>`,
			chartLeft, num(y), w-chartRight, num(y), esc(m.Label+": "+formatValue(m.Value)))
		fmt.Fprintf(&b, `<text class="chart-mark-label" x="%d" y="%s" text-anchor="end">%s</text>`, w-chartRight-2, num(y-3), esc(m.Label))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func (c Chart) max() float64 {
	m := 0.0
	for _, p := range c.Points {
		m = max(m, p.Value)
	}
	for _, p := range c.Marks {
		m = max(m, p.Value)
	}
	return m
}

func (c Chart) longestLabel() int {
	n := 0
	for _, p := range c.Points {
		n = max(n, len([]rune(p.Label)))
	}
	return n
}

// describe lists the values, for screen readers: "Mon 3: 120, Tue 4: 80".
func (c Chart) describe() string {
	parts := make([]string, len(c.Points))
	for i, p := range c.Points {
		parts[i] = p.Label + ": " + formatValue(max(p.Value, 0))
	}
	return strings.Join(parts, ", ")
}

// niceScale returns the top of the y axis and its tick step for values up
// to m: steps of 1, 2 or 5 times a power of ten, at most chartTicks of them.
func niceScale(m float64) (top, step float64) {
	if m <= 0 || math.IsNaN(m) || math.IsInf(m, 0) {
		return 1, 1
	}
	raw := m / chartTicks
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, f := range []float64{1, 2, 5, 10} {
		if step = f * pow; step >= raw {
			break
		}
	}
	return math.Ceil(m/step) * step, step
}

// formatValue prints a value with at most two decimals and no trailing
// zeros: 1200, 0.25.
func formatValue(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// num prints an SVG coordinate with one decimal.
func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }
