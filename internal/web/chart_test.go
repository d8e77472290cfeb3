package web

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNiceScale(t *testing.T) {
	for _, tc := range []struct{ max, top, step float64 }{
		{0, 1, 1},
		{-5, 1, 1},
		{1, 1, 0.5},
		{3, 3, 1},
		{7, 8, 2},
		{10, 10, 5},
		{97, 100, 50},
		{1234, 1500, 500},
		{0.03, 0.03, 0.01},
		{15000, 15000, 5000},
	} {
		top, step := niceScale(tc.max)
		if !near(top, tc.top) || !near(step, tc.step) {
			t.Errorf("niceScale(%v) = %v, %v; want %v, %v", tc.max, top, step, tc.top, tc.step)
		}
		if top/step > chartTicks+0.001 {
			t.Errorf("niceScale(%v): %v ticks, want at most %d", tc.max, top/step, chartTicks)
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

// TestChartGolden draws charts to testdata/chart/*.svg; -update rewrites
// them. Each must also be well-formed XML.
func TestChartGolden(t *testing.T) {
	days := func(values ...float64) []Point {
		start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		pts := make([]Point, len(values))
		for i, v := range values {
			pts[i] = Point{Label: start.AddDate(0, 0, i).Format("Jan 2"), Value: v}
		}
		return pts
	}
	for name, c := range map[string]Chart{
		"bars-week":  {Kind: Bars, Title: "Salesforce API calls per day", Unit: "calls", Points: days(1200, 800, 1530, 0, 320, 2210, 1980)},
		"bars-month": {Kind: Bars, Title: "A month", Unit: "calls", Points: days(3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181, 6765, 4181, 2584, 1597, 987, 610, 377, 233, 144, 89, 55, 34, 21, 13)},
		"line-small": {Kind: Line, Title: "Error rate", Unit: "%", Points: days(0.5, 1.25, 0.75, 2), Width: 320, Height: 180},
		"empty":      {Kind: Bars, Title: "No data yet"},
		"line-marks": {Kind: Line, Title: "API usage", Unit: "requests", Points: days(100, 4000, 9000, 11000), Marks: []Point{{Label: "budget", Value: 12000}, {Label: "75 %", Value: 9000}}},
		"escaped":    {Kind: Bars, Title: `<script>alert("x")</script> & co`, Unit: "a<b", Points: []Point{{Label: "<i>", Value: 1}, {Label: "négatif", Value: -4}}},
	} {
		t.Run(name, func(t *testing.T) {
			got := string(c.SVG())
			if err := xml.Unmarshal([]byte(got), new(struct{})); err != nil {
				t.Errorf("not well-formed XML: %v", err)
			}
			if strings.Contains(got, "<script") || strings.Contains(got, "<i>") {
				t.Errorf("a text was not escaped:\n%s", got)
			}
			golden(t, filepath.Join("testdata", "chart", name+".svg"), got)
		})
	}
}

// golden compares got with the file, or rewrites the file under -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run go test -update and review the diff):\n%s", path, firstDiff(string(want), got))
	}
}

// firstDiff shows the first line that differs.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\nwant: %s\ngot:  %s", i+1, w, g)
		}
	}
	return "(no line differs)"
}

func BenchmarkChartSVG(b *testing.B) {
	pts := make([]Point, 30)
	for i := range pts {
		pts[i] = Point{Label: fmt.Sprintf("Mar %d", i+1), Value: float64(i * 37 % 101)}
	}
	c := Chart{Kind: Bars, Title: "Salesforce API calls per day", Unit: "calls", Points: pts}
	for b.Loop() {
		_ = c.SVG()
	}
}
