package sfemu

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/sfbridge/sfbridge/internal/sfemu/org"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/sfid"
)

// saveResult is the body of a create or upsert: {"id","success","errors"}
// (+ "created" for upserts from v46.0).
type saveResult struct {
	ID      string     `json:"id"`
	Success bool       `json:"success"`
	Errors  []struct{} `json:"errors"`
	Created *bool      `json:"created,omitempty"`
}

// target resolves what an sObject call acts on: the object of the URL, the
// 18-character ID of its {id} segment when byID, and the session's user. The
// ID is checked before the session, so a malformed ID is reported first.
func (c *call) target(byID bool) (o *schema.Object, id string, as *org.Principal, err error) {
	if o, err = c.object(); err != nil {
		return nil, "", nil, err
	}
	if byID {
		if id, err = recordID(o, c.param("id")); err != nil {
			return nil, "", nil, err
		}
	}
	if as, err = c.as(); err != nil {
		return nil, "", nil, err
	}
	return o, id, as, nil
}

// writeLock is errUnableToLock when the lock-row fault fires for this DML
// call, else nil.
func (e *Emulator) writeLock(c *call) error {
	if e.lockFault(c.r) {
		return errUnableToLock
	}
	return nil
}

// writeInput decodes the body of a create, update or upsert into values of
// object o, then draws the lock-row fault.
func (e *Emulator) writeInput(c *call, o *schema.Object) (*schema.Input, error) {
	in, err := c.input(o)
	if err != nil {
		return nil, err
	}
	if err := e.writeLock(c); err != nil {
		return nil, err
	}
	return in, nil
}

// created answers 201 with the save result and the new record's Location.
func (c *call) created(o *schema.Object, res saveResult) error {
	c.w.Header().Set("Location", c.url("sobjects", o.Name, res.ID))
	return c.json(http.StatusCreated, res)
}

// as is the session's user as the org sees them.
func (c *call) as() (*org.Principal, error) {
	p, err := c.org.As(c.sess.UserID)
	if err != nil {
		return nil, errInvalidSession // the user is gone since the session started
	}
	return p, nil
}

// readBody reads the request body.
func readBody(r *http.Request) ([]byte, error) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, newAPIError(http.StatusRequestEntityTooLarge, "REQUEST_ENTITY_TOO_LARGE", "Request body too large")
		}
		return nil, jsonParserError("Unable to read the request body: " + err.Error())
	}
	return data, nil
}

// input decodes the body into field values of object o.
func (c *call) input(o *schema.Object) (*schema.Input, error) {
	body, err := readBody(c.r)
	if err != nil {
		return nil, err
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, jsonParserError("No content to map due to end-of-input at [line:1, column:0]")
	}
	return o.DecodeJSON(body)
}

// malformedID is Salesforce's answer to an ID of the wrong shape or object.
func malformedID(o *schema.Object, id string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "MALFORMED_ID", WithFields: true, Fields: []string{"Id"},
		Message: fmt.Sprintf("%s ID: id value of incorrect type: %s", o.Name, id)}
}

// recordID checks that id is a valid ID of object o.
func recordID(o *schema.Object, id string) (string, error) {
	id18, err := sfid.To18(id)
	if err != nil || !strings.EqualFold(sfid.KeyPrefix(id18), o.KeyPrefix) {
		return "", malformedID(o, id)
	}
	return id18, nil
}

// create serves POST /sobjects/{object}.
func (e *Emulator) create(c *call) error {
	o, _, as, err := c.target(false)
	if err != nil {
		return err
	}
	in, err := e.writeInput(c, o)
	if err != nil {
		return err
	}
	id, err := c.org.Create(c.r.Context(), as, o.Name, in)
	if err != nil {
		return err
	}
	return c.created(o, saveResult{ID: id, Success: true, Errors: []struct{}{}})
}

// createByID serves POST /sobjects/{object}/Id (v37.0+), a create; POST on
// a record is not allowed.
func (e *Emulator) createByID(c *call) error {
	if strings.EqualFold(c.param("id"), "Id") && c.v >= 37 {
		return e.create(c)
	}
	return methodNotAllowed(c.r.Method, http.MethodHead, http.MethodGet, http.MethodPatch, http.MethodDelete)
}

// byID reports whether the call's route names its record by {id} rather
// than by a {field}/{value} external ID.
func (c *call) byID() bool {
	_, ok := c.params["id"]
	return ok
}

// retrieve serves GET /sobjects/{object}/{id}[?fields=A,B] and, by
// external ID, GET /sobjects/{object}/{field}/{value}[?fields=A,B].
func (e *Emulator) retrieve(c *call) error {
	o, id, as, err := c.target(c.byID())
	if err != nil {
		return err
	}
	fields, err := c.selectedFields(o, as)
	if err != nil {
		return err
	}
	rec, err := c.locate(o, as, id)
	if err != nil {
		return err
	}
	e.recent.viewed(c.sess.UserID, rec.ID())
	return c.rawJSON(http.StatusOK, appendRecord(nil, c.v, o, rec, fields), nil)
}

// locate reads the record with the given ID, which must be of object o
// (else the {id} segment is a malformed ID of o) or, when id is "", the
// record of o the {field}/{value} external ID names (300 when several do).
func (c *call) locate(o *schema.Object, as *org.Principal, id string) (*org.Record, error) {
	if id == "" {
		rec, err := c.org.GetByExternalID(as, o.Name, c.param("field"), c.param("value"))
		if err != nil {
			return nil, c.multipleChoices(err)
		}
		return rec, nil
	}
	rec, err := c.org.Get(as, id)
	if err != nil {
		return nil, err
	}
	if rec.Object() != o.Name {
		return nil, malformedID(o, c.param("id"))
	}
	return rec, nil
}

// selectedFields returns the fields a retrieve renders: those of ?fields=
// (each must exist and be readable), else every readable field.
func (c *call) selectedFields(o *schema.Object, as *org.Principal) ([]*schema.Field, error) {
	list := c.r.URL.Query().Get("fields")
	var out []*schema.Field
	if list == "" {
		for _, f := range o.Fields {
			if as.FieldAccess(f).Read {
				out = append(out, f)
			}
		}
		return out, nil
	}
	hasID := false
	for _, name := range splitList(list) {
		f := o.Field(name)
		if f == nil || !as.FieldAccess(f).Read {
			return nil, newAPIError(http.StatusBadRequest, "INVALID_FIELD",
				fmt.Sprintf("No such column '%s' on sobject of type %s", name, o.Name))
		}
		hasID = hasID || f.Name == "Id"
		out = append(out, f)
	}
	if !hasID {
		out = append(out, o.Field("Id")) // Salesforce adds the Id after the fields asked for
	}
	return out, nil
}

// appendRecord renders a record as the sObject resources do: attributes,
// then the fields in order.
func appendRecord(dst []byte, v version, o *schema.Object, rec schema.Record, fields []*schema.Field) []byte {
	id, _ := o.Value(rec, o.Field("Id")).(string)
	dst = append(dst, `{"attributes":{"type":`...)
	dst = schema.AppendJSON(dst, schema.TypeString, o.Name)
	dst = append(dst, `,"url":`...)
	dst = schema.AppendJSON(dst, schema.TypeString, v.base()+"/sobjects/"+o.Name+"/"+id)
	dst = append(dst, '}')
	for _, f := range fields {
		dst = append(dst, ',')
		dst = schema.AppendJSON(dst, schema.TypeString, f.Name)
		dst = append(dst, ':')
		dst = schema.AppendJSON(dst, f.Type, o.Value(rec, f))
	}
	return append(dst, '}')
}

// update serves PATCH /sobjects/{object}/{id}: 204.
func (e *Emulator) update(c *call) error {
	o, id, as, err := c.target(true)
	if err != nil {
		return err
	}
	in, err := e.writeInput(c, o)
	if err != nil {
		return err
	}
	if err := c.org.Update(c.r.Context(), as, o.Name, id, in); err != nil {
		return err
	}
	return c.noContent()
}

// deleteRecord serves DELETE /sobjects/{object}/{id} and, by external
// ID, DELETE /sobjects/{object}/{field}/{value}: 204.
func (e *Emulator) deleteRecord(c *call) error {
	o, id, as, err := c.target(c.byID())
	if err != nil {
		return err
	}
	if err := e.writeLock(c); err != nil {
		return err
	}
	rec, err := c.locate(o, as, id)
	if err != nil {
		return err
	}
	if err := c.org.Delete(c.r.Context(), as, rec.ID()); err != nil {
		return err
	}
	return c.noContent()
}

// multipleChoices answers 300 with the URLs of the records an external ID
// matched.
func (c *call) multipleChoices(err error) error {
	var mm *org.MultipleMatchesError
	if !errors.As(err, &mm) {
		return err
	}
	urls := make([]string, len(mm.IDs))
	for i, id := range mm.IDs {
		urls[i] = c.url("sobjects", mm.Object, id)
	}
	return c.json(http.StatusMultipleChoices, urls)
}

// upsert serves PATCH /sobjects/{object}/{field}/{value}: 201 when
// created; when updated 200 with created:false from v46.0, 204 before.
func (e *Emulator) upsert(c *call) error {
	o, _, as, err := c.target(false)
	if err != nil {
		return err
	}
	in, err := e.writeInput(c, o)
	if err != nil {
		return err
	}
	id, created, err := c.org.Upsert(c.r.Context(), as, o.Name, c.param("field"), c.param("value"), in)
	if err != nil {
		return c.multipleChoices(err)
	}
	res := saveResult{ID: id, Success: true, Errors: []struct{}{}}
	if c.v >= 46 {
		res.Created = &created
	}
	switch {
	case created:
		return c.created(o, res)
	case c.v >= 46:
		return c.json(http.StatusOK, res)
	}
	return c.noContent()
}
