package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sfbridge/sfbridge/internal/search"
)

type searchCmd struct {
	actingFlags
	Term string `arg:"" help:"What to search for, at least 2 letters or digits." name:"TERM"`
	JSON bool   `name:"json" help:"Print the result as JSON."`
}

func (c *searchCmd) Run(e *env) error {
	a, cl, err := c.acting(e)
	if err != nil {
		return err
	}
	defer a.close()
	svc, err := searchService(a)
	if err != nil {
		return err
	}
	res, err := svc.Search(e.ctx, cl, c.Term)
	switch {
	case errors.Is(err, search.ErrInvalidTerm):
		return invalid(err)
	case err != nil:
		return environment(err)
	}
	if c.JSON {
		return writeSearchJSON(e.stdout, res)
	}
	writeSearchText(e.stdout, res)
	return nil
}

// searchService returns the search service over the data directory's list
// view choices. It caches nothing: each command is one process.
func searchService(a *app) (*search.Service, error) {
	svc, err := search.NewService(search.Config{TTL: -1}, a.store.ListViewChoices())
	if err != nil {
		return nil, fmt.Errorf("creating the search service: %w", err)
	}
	return svc, nil
}

// searchJSON is the --json form of a search.Result: lower-case keys, as
// in the JSON API.
type searchJSON struct {
	Term     string            `json:"term"`
	Searched []string          `json:"searched"`
	Groups   []searchGroupJSON `json:"groups"`
}

type searchGroupJSON struct {
	Object string          `json:"object"`
	Label  string          `json:"label"`
	Hits   []searchHitJSON `json:"hits"`
}

type searchHitJSON struct {
	ID     string            `json:"id"`
	Title  string            `json:"title"`
	URL    string            `json:"url"`
	Fields []searchFieldJSON `json:"fields"`
}

type searchFieldJSON struct {
	Field string `json:"field"`
	Label string `json:"label"`
	Value string `json:"value"`
}

func writeSearchJSON(w io.Writer, res *search.Result) error {
	out := searchJSON{Term: res.Term, Searched: res.Searched, Groups: []searchGroupJSON{}}
	for _, g := range res.Groups {
		gj := searchGroupJSON{Object: g.Object, Label: g.Label, Hits: []searchHitJSON{}}
		for _, h := range g.Hits {
			hj := searchHitJSON{ID: h.ID, Title: h.Title, URL: h.URL, Fields: []searchFieldJSON{}}
			for _, v := range h.Fields {
				hj.Fields = append(hj.Fields, searchFieldJSON(v))
			}
			gj.Hits = append(gj.Hits, hj)
		}
		out.Groups = append(out.Groups, gj)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// writeSearchText writes the result grouped by object: each hit's title,
// its other fields, and its link.
func writeSearchText(w io.Writer, res *search.Result) {
	if len(res.Groups) == 0 {
		fmt.Fprintf(w, "nothing found for %q (searched: %s)\n", res.Term, strings.Join(res.Searched, ", "))
		return
	}
	for i, g := range res.Groups {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s (%d)\n", g.Label, len(g.Hits))
		for _, h := range g.Hits {
			var more []string
			for _, v := range h.Fields[min(1, len(h.Fields)):] {
				if v.Value != "" {
					more = append(more, v.Label+": "+v.Value)
				}
			}
			line := "  " + h.Title
			if len(more) > 0 {
				line += "  (" + strings.Join(more, ", ") + ")"
			}
			fmt.Fprintf(w, "%s\n    %s %s\n", line, h.ID, h.URL)
		}
	}
}
