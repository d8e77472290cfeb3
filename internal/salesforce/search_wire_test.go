package salesforce

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDecodeSearchGolden decodes search answers of both shapes (the
// searchRecords object since v36.0, a bare array before) and broken ones.
func TestDecodeSearchGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "search", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no search fixtures: %v", err)
	}
	var b strings.Builder
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "== %s\n", filepath.Base(f))
		recs, err := decodeSearch(bytes.NewReader(raw))
		if err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
			continue
		}
		fmt.Fprintf(&b, "%d records\n", len(recs))
		for _, r := range recs {
			dumpRecord(&b, r, "")
		}
	}
	golden(t, filepath.Join("search", "decoded.golden"), b.String())
}

// FuzzDecodeSearch checks that any answer decodes or fails cleanly, and
// that what decodes has no nil record.
func FuzzDecodeSearch(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "search", "*.json"))
	for _, p := range files {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		recs, err := decodeSearch(bytes.NewReader(raw))
		if err != nil {
			return
		}
		if slices.Contains(recs, nil) {
			t.Errorf("%q decoded to a nil record", raw)
		}
	})
}

// TestListViewResultDecodes pins the JSON names of ListViewResult on the
// recorded shape of a results answer.
func TestListViewResultDecodes(t *testing.T) {
	t.Parallel()
	var res ListViewResult
	if err := json.Unmarshal(readFile(t, "listview/results.json"), &res); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "id=%s label=%q developerName=%s size=%d done=%t\n", res.ID, res.Label, res.DeveloperName, res.Size, res.Done)
	for _, c := range res.Columns {
		fmt.Fprintf(&b, "column %s %q type=%s hidden=%t sortable=%t", c.FieldNameOrPath, c.Label, c.Type, c.Hidden, c.Sortable)
		if c.SortIndex != nil {
			fmt.Fprintf(&b, " sort=%d %s", *c.SortIndex, *c.SortDirection)
		}
		b.WriteByte('\n')
	}
	for _, r := range res.Records {
		for _, c := range res.Columns {
			v, ok := r.Value(c.FieldNameOrPath)
			fmt.Fprintf(&b, "  %s=%q(%t)", c.FieldNameOrPath, v, ok)
		}
		b.WriteByte('\n')
	}
	golden(t, filepath.Join("listview", "results.golden"), b.String())
}

// TestListViewsFollowsNextRecordsURL pages through list views as a real
// org may send them, retrying a page that fails, and refusing a next page
// off the instance.
func TestListViewsFollowsNextRecordsURL(t *testing.T) {
	o := newOrg(t)
	failed := false
	page := func(ids []string, next string) string {
		var views []string
		for _, id := range ids {
			views = append(views, fmt.Sprintf(`{"id":%q,"label":"View %s","developerName":"V%s","soqlCompatible":true}`, id, id, id))
		}
		nextJSON := "null"
		if next != "" {
			nextJSON = fmt.Sprintf("%q", next)
		}
		return fmt.Sprintf(`{"done":%t,"listviews":[%s],"nextRecordsUrl":%s,"size":5,"sobjectType":"Account"}`,
			next == "", strings.Join(views, ","), nextJSON)
	}
	o.HandleFunc("GET "+restPath+"/sobjects/Account/listviews", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("page") {
		case "":
			writeJSON(w, http.StatusOK, page([]string{"00B000000000001", "00B000000000002"}, restPath+"/sobjects/Account/listviews?page=2"))
		case "2":
			if !failed {
				failed = true
				writeJSON(w, http.StatusServiceUnavailable, `[{"errorCode":"SERVER_UNAVAILABLE","message":"busy"}]`)
				return
			}
			writeJSON(w, http.StatusOK, page([]string{"00B000000000003", "00B000000000004"}, restPath+"/sobjects/Account/listviews?page=3"))
		case "3":
			writeJSON(w, http.StatusOK, page([]string{"00B000000000005"}, ""))
		}
	})
	o.HandleFunc("GET "+restPath+"/sobjects/Evil/listviews", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"done":false,"listviews":[{"id":"00B000000000009"}],"nextRecordsUrl":"https://evil.example.com/services/data/v62.0/x"}`)
	})
	c := o.client(t, o.config(), nil)
	ctx := context.Background()

	var got []string
	for v, err := range c.ListViews(ctx, "Account") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v.ID)
	}
	if want := []string{"00B000000000001", "00B000000000002", "00B000000000003", "00B000000000004", "00B000000000005"}; !slices.Equal(got, want) {
		t.Errorf("list views %v, want %v", got, want)
	}
	if n := c.Calls().API(); n != 4 {
		t.Errorf("%d API calls, want 4 (three pages, one retried)", n)
	}

	// Stopping after the first page fetches no other.
	before := c.Calls().API()
	for range c.ListViews(ctx, "Account") {
		break
	}
	if n := c.Calls().API() - before; n != 1 {
		t.Errorf("stopping early made %d calls, want 1", n)
	}

	var errs []error
	for _, err := range c.ListViews(ctx, "Evil") {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "/services/data/ path was expected") {
		t.Errorf("next page off the instance: %v", errs)
	}
}
