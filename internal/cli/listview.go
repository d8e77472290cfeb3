package cli

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/search"
)

type listviewCmd struct {
	List   listviewListCmd   `cmd:"" help:"List an object's list views the user can use; * marks the enabled ones."`
	Choose listviewChooseCmd `cmd:"" help:"Enable one or two of an object's list views for the user."`
	Show   listviewShowCmd   `cmd:"" help:"Show the records of the user's enabled list views of an object, fresh from Salesforce."`
}

type listviewListCmd struct {
	actingFlags
	Object string `arg:"" help:"The object's API name, e.g. Account." name:"OBJECT"`
}

func (c *listviewListCmd) Run(e *env) error {
	a, cl, err := c.acting(e)
	if err != nil {
		return err
	}
	defer a.close()
	svc, err := searchService(a)
	if err != nil {
		return err
	}
	views, err := svc.ListViews(e.ctx, cl, c.Object)
	if err != nil {
		return listviewError(err)
	}
	chosen, err := svc.Chosen(e.ctx, cl, c.Object)
	if err != nil {
		return listviewError(err)
	}
	if len(views) == 0 {
		fmt.Fprintf(e.stdout, "%s has no list view you can use\n", c.Object)
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tID\tLABEL\tNAME")
	for _, v := range views {
		mark := ""
		if slices.Contains(chosen, v) {
			mark = "*"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", mark, v.ID, v.Label, v.DeveloperName)
	}
	return tw.Flush()
}

type listviewChooseCmd struct {
	actingFlags
	Object string   `arg:"" help:"The object's API name, e.g. Account." name:"OBJECT"`
	IDs    []string `arg:"" help:"One or two list view IDs (sfbridge listview list OBJECT shows them)." name:"ID"`
}

func (c *listviewChooseCmd) Run(e *env) error {
	a, cl, err := c.acting(e)
	if err != nil {
		return err
	}
	defer a.close()
	svc, err := searchService(a)
	if err != nil {
		return err
	}
	if err := svc.Choose(e.ctx, cl, c.Object, c.IDs); err != nil {
		return listviewError(err)
	}
	fmt.Fprintf(e.stdout, "enabled %d list view(s) of %s: %s\n", len(c.IDs), c.Object, strings.Join(c.IDs, ", "))
	return nil
}

type listviewShowCmd struct {
	actingFlags
	Object string `arg:"" help:"The object's API name, e.g. Account." name:"OBJECT"`
	Limit  int    `default:"50" help:"The most records shown per list view, 1 to 2000."`
}

func (c *listviewShowCmd) Run(e *env) error {
	if c.Limit < 1 || c.Limit > 2000 {
		return invalid(fmt.Errorf("--limit %d is not between 1 and 2000", c.Limit))
	}
	a, cl, err := c.acting(e)
	if err != nil {
		return err
	}
	defer a.close()
	svc, err := searchService(a)
	if err != nil {
		return err
	}
	chosen, err := svc.Chosen(e.ctx, cl, c.Object)
	if err != nil {
		return listviewError(err)
	}
	if len(chosen) == 0 {
		fmt.Fprintf(e.stdout, "%s has no list view you can use\n", c.Object)
		return nil
	}
	for i, v := range chosen {
		res, err := svc.Results(e.ctx, cl, c.Object, v.ID, c.Limit)
		if err != nil {
			return listviewError(err)
		}
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		if err := writeListView(e.stdout, res); err != nil {
			return err
		}
	}
	return nil
}

// writeListView writes a list view's records as a table, each row ending
// with its link.
func writeListView(w io.Writer, res *search.ListViewResult) error {
	more := ""
	if !res.Done {
		more = ", more in Salesforce"
	}
	fmt.Fprintf(w, "%s (%s): %d record(s)%s\n", res.Label, res.ID, len(res.Rows), more)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := make([]string, 0, len(res.Columns)+1)
	for _, col := range res.Columns {
		header = append(header, col.Label)
	}
	fmt.Fprintln(tw, strings.Join(append(header, "LINK"), "\t"))
	for _, r := range res.Rows {
		fmt.Fprintln(tw, strings.Join(append(slices.Clone(r.Values), orNone(r.URL)), "\t"))
	}
	return tw.Flush()
}

// listviewError marks an error of the list view commands with its exit
// code: a wrong object, choice or view (2), else Salesforce (3).
func listviewError(err error) error {
	switch {
	case errors.Is(err, search.ErrInvalidConfig), errors.Is(err, search.ErrChoice), errors.Is(err, search.ErrNotChosen):
		return invalid(err)
	case errors.Is(err, salesforce.ErrNotFound):
		return invalid(fmt.Errorf("%w: check the object's API name, and that you may read it", err))
	}
	return environment(err)
}
