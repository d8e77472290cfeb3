package sfemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// Insert creates records of an object as the org's system user, all or
// nothing, without counting API requests: the admin API's seeding. Each
// record is a JSON object as the REST API takes it. It returns the IDs in
// order; on failure nothing is created and the error names the record.
func (e *Emulator) Insert(ctx context.Context, object string, records []json.RawMessage) ([]string, error) {
	o := e.world().org
	obj := o.Registry().Object(object)
	if obj == nil {
		return nil, badRequest("admin.unknown_object", "no object %q; GET /services/data/vXX.X/sobjects lists them", object)
	}
	ids := make([]string, 0, len(records))
	var failure error
	sys := o.System()
	o.Atomically(ctx, func(ctx context.Context) bool {
		for i, raw := range records {
			in, err := obj.DecodeJSON(raw)
			if err == nil {
				var id string
				id, err = o.Create(ctx, sys, obj.Name, in)
				ids = append(ids, id)
			}
			if err != nil {
				failure = badRequest("admin.invalid_record", "records[%d]: %v; nothing was inserted", i, err)
				return false
			}
		}
		return true
	})
	if failure != nil {
		return nil, failure
	}
	return ids, nil
}

func (e *Emulator) adminInsert(r *http.Request) (any, error) {
	var records []json.RawMessage
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	if err != nil {
		return nil, badRequest("admin.invalid_body", "reading the body: %v", err)
	}
	if err := json.Unmarshal(data, &records); err != nil {
		return nil, badRequest("admin.invalid_body", "the body must be a JSON array of records ([{\"Name\": \"Acme\"}]): %v", err)
	}
	ids, err := e.Insert(r.Context(), r.PathValue("object"), records)
	if err != nil {
		return nil, err
	}
	return map[string]any{"ids": ids}, nil
}

// Undelete brings records back from the recycle bin, as the org's system
// user (Salesforce's REST API has no undelete; SOAP, Apex and the UI do).
// It stops at the first record that cannot be restored.
func (e *Emulator) Undelete(ctx context.Context, ids []string) error {
	o := e.world().org
	for _, id := range ids {
		if err := o.Undelete(ctx, o.System(), id); err != nil {
			return fmt.Errorf("undeleting %s: %w", id, err)
		}
	}
	return nil
}

func (e *Emulator) adminUndelete(r *http.Request) (any, error) {
	var body struct {
		IDs []string `json:"ids"`
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	if err != nil {
		return nil, badRequest("admin.invalid_body", "reading the body: %v", err)
	}
	if err := json.Unmarshal(data, &body); err != nil || len(body.IDs) == 0 {
		return nil, badRequest("admin.invalid_body", `the body must name the records to restore: {"ids": ["001..."]}`)
	}
	if err := e.Undelete(r.Context(), body.IDs); err != nil {
		return nil, badRequest("admin.undelete_failed", "%v", err)
	}
	return map[string]any{"undeleted": body.IDs}, nil
}

// AddSchema adds a schema file's custom objects and fields to the org
// (see internal/sfemu/schema for the format).
func (e *Emulator) AddSchema(name string, data []byte) error {
	if err := e.world().org.ApplySchema(name, data); err != nil {
		var spec *schema.SpecError
		if errors.As(err, &spec) {
			return badRequest("admin.invalid_schema", "%v", err)
		}
		return err
	}
	e.markSchemaChanged()
	return nil
}

func (e *Emulator) adminSchema(r *http.Request) (any, error) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	if err != nil {
		return nil, badRequest("admin.invalid_body", "reading the body: %v", err)
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		name = fmt.Sprintf("admin-%d.yaml", len(e.world().org.Registry().Sources())+1)
	}
	if err := e.AddSchema(name, data); err != nil {
		return nil, err
	}
	var custom []string
	for _, o := range e.world().org.Registry().Objects() {
		if o.Custom {
			custom = append(custom, o.Name)
		}
	}
	return map[string]any{"applied": name, "customObjects": custom}, nil
}

// Reset replaces the org with a fresh one of the seed ("" means the
// configured seed). Every token dies (users are new); connected apps stay;
// the day's API usage starts again from zero.
func (e *Emulator) Reset(seed string) error {
	if seed == "" {
		seed = e.opts.Seed
	}
	if seed != "demo" && seed != "empty" {
		return badRequest("admin.invalid_seed", "seed %q must be \"demo\" or \"empty\"", seed)
	}
	o, err := buildOrg(e.opts, seed)
	if err != nil {
		return err
	}
	old := e.world()
	srv, err := newAuthServer(e.opts, o, old.auth.Apps())
	if err != nil {
		return err
	}
	w, err := e.newWorld(o, srv)
	if err != nil {
		return err
	}
	e.cur.Store(w)
	e.cursors.clear()
	e.recent.clear()
	e.ResetAPIUsage()
	e.markSchemaChanged()
	return nil
}

func (e *Emulator) adminReset(r *http.Request) (any, error) {
	var in struct {
		Seed string `json:"seed"`
	}
	if err := readAdminJSON(r, &in); err != nil {
		return nil, err
	}
	if err := e.Reset(strings.TrimSpace(in.Seed)); err != nil {
		return nil, err
	}
	return e.State(), nil
}

func (e *Emulator) adminSave(*http.Request) (any, error) {
	if err := e.Save(); err != nil {
		if errors.Is(err, ErrNoDataFile) {
			return nil, badRequest("admin.no_data_file", "start the emulator with a data file (--data FILE) to save it")
		}
		return nil, err
	}
	return map[string]string{"dataFile": e.opts.DataFile}, nil
}
