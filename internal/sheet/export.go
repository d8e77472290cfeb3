package sheet

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/sfbridge/sfbridge/internal/store"
)

// ExportCSV writes the rows the query selects as CSV: a header of the system
// column names then the user column names, then one record per row, values
// as text (see Column.text). It streams: memory does not grow with the
// number of rows. It returns how many rows it wrote.
func (sh *Sheet) ExportCSV(ctx context.Context, sc store.Scope, w io.Writer, q Query) (int64, error) {
	cw := csv.NewWriter(w)
	header := make([]string, 0, len(systemColumns)+len(sh.Columns))
	for _, c := range systemColumns {
		header = append(header, c.Name)
	}
	for _, c := range sh.Columns {
		header = append(header, c.Name)
	}
	if err := cw.Write(header); err != nil {
		return 0, fmt.Errorf("exporting sheet %q as CSV: %w", sh.Name, err)
	}
	var n int64
	record := make([]string, len(header))
	err := sh.Rows(ctx, sc, q, func(r *Row) error {
		record = append(record[:0], strconv.FormatInt(r.ID, 10), r.SFID, string(r.Status), r.Error, string(r.WrittenBy),
			r.CreatedAt.Format(dateTimeLayout), r.UpdatedAt.Format(dateTimeLayout))
		for i := range sh.Columns {
			record = append(record, sh.Columns[i].text(r.Values[i]))
		}
		n++
		return cw.Write(record)
	})
	if err == nil {
		cw.Flush()
		err = cw.Error()
	}
	if err != nil {
		return n, fmt.Errorf("exporting sheet %q as CSV: %w", sh.Name, err)
	}
	return n, nil
}

// ExportJSON writes the rows the query selects as a JSON array of objects:
//
//	{"id":1,"sfid":"001...","status":"synced","error":"","writtenBy":"sync",
//	 "createdAt":"...","updatedAt":"...","values":{"Account Name":"Acme",...}}
//
// with "sfid" null for rows not in Salesforce, and the values in column
// order, in their canonical form (see Row.Values). It streams, and returns
// how many rows it wrote.
func (sh *Sheet) ExportJSON(ctx context.Context, sc store.Scope, w io.Writer, q Query) (int64, error) {
	bw := bufio.NewWriter(w)
	names := make([][]byte, len(sh.Columns))
	for i, c := range sh.Columns {
		names[i], _ = json.Marshal(c.Name)
	}
	var n int64
	bw.WriteString("[")
	err := sh.Rows(ctx, sc, q, func(r *Row) error {
		if n > 0 {
			bw.WriteString(",")
		}
		n++
		var sfid any
		if r.SFID != "" {
			sfid = r.SFID
		}
		head, err := json.Marshal(struct {
			ID        int64  `json:"id"`
			SFID      any    `json:"sfid"`
			Status    Status `json:"status"`
			Error     string `json:"error"`
			WrittenBy Origin `json:"writtenBy"`
			CreatedAt string `json:"createdAt"`
			UpdatedAt string `json:"updatedAt"`
		}{r.ID, sfid, r.Status, r.Error, r.WrittenBy, r.CreatedAt.Format(dateTimeLayout), r.UpdatedAt.Format(dateTimeLayout)})
		if err != nil {
			return err
		}
		bw.WriteString("\n")
		bw.Write(head[:len(head)-1]) // reopen the object to add "values"
		bw.WriteString(`,"values":{`)
		for i, v := range r.Values {
			if i > 0 {
				bw.WriteString(",")
			}
			b, err := json.Marshal(v)
			if err != nil {
				return fmt.Errorf("row %d, column %q: %w", r.ID, sh.Columns[i].Name, err)
			}
			bw.Write(names[i])
			bw.WriteString(":")
			bw.Write(b)
		}
		_, err = bw.WriteString("}}")
		return err
	})
	if err == nil {
		if n > 0 {
			bw.WriteString("\n")
		}
		bw.WriteString("]\n")
		err = bw.Flush()
	}
	if err != nil {
		return n, fmt.Errorf("exporting sheet %q as JSON: %w", sh.Name, err)
	}
	return n, nil
}
