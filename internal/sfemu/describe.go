package sfemu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// describeOptions are the describe settings for the call's version and user.
func (c *call) describeOptions() schema.DescribeOptions {
	return schema.DescribeOptions{
		Version:     c.v.String(),
		InstanceURL: auth.RequestBaseURL(c.r, c.e.opts.BaseURL),
		Access:      c.access(),
	}
}

// object resolves the {object} path segment to an object the user may
// read; anything else is Salesforce's 404 NOT_FOUND.
func (c *call) object() (*schema.Object, error) {
	o := c.org.Registry().Object(c.param("object"))
	if o == nil {
		return nil, errNotFound
	}
	if acc := c.access(); acc != nil && !acc.ObjectAccess(o).Read {
		return nil, errNotFound
	}
	return o, nil
}

// notModified answers 304 when the request's If-Modified-Since is not
// older than the last schema change, as describes do.
func (c *call) notModified() bool {
	h := c.r.Header.Get("If-Modified-Since")
	if h == "" {
		return false
	}
	since, err := http.ParseTime(h)
	if err != nil || since.Unix() < c.e.schemaChanged.Load() {
		return false
	}
	c.w.WriteHeader(http.StatusNotModified)
	return true
}

// rawJSON writes an already rendered JSON body.
func (c *call) rawJSON(status int, body []byte, err error) error {
	if err != nil {
		return fmt.Errorf("rendering %s: %w", c.r.URL.Path, err)
	}
	if c.r.Header.Get("X-PrettyPrint") == "1" {
		var out bytes.Buffer
		if json.Indent(&out, body, "", "  ") == nil {
			body = out.Bytes()
		}
	}
	c.w.Header().Set("Content-Type", jsonContentType)
	c.w.WriteHeader(status)
	_, _ = c.w.Write(body)
	return nil
}

// describeGlobal serves GET /sobjects.
func (e *Emulator) describeGlobal(c *call) error {
	if c.notModified() {
		return nil
	}
	body, err := c.org.Registry().DescribeGlobal(c.describeOptions())
	return c.rawJSON(http.StatusOK, body, err)
}

// describe serves GET /sobjects/{object}/describe.
func (e *Emulator) describe(c *call) error {
	o, err := c.object()
	if err != nil {
		return err
	}
	if c.notModified() {
		return nil
	}
	body, err := o.Describe(c.describeOptions())
	return c.rawJSON(http.StatusOK, body, err)
}

// basicInfo serves GET /sobjects/{object}: the object's summary and the
// user's recently viewed records of it.
func (e *Emulator) basicInfo(c *call) error {
	o, err := c.object()
	if err != nil {
		return err
	}
	recent, err := e.recentRecords(c, o, 25)
	if err != nil {
		return err
	}
	var items []json.RawMessage
	if err := json.Unmarshal(recent, &items); err != nil {
		return err
	}
	body, err := o.BasicInfo(c.describeOptions(), items)
	return c.rawJSON(http.StatusOK, body, err)
}

// markSchemaChanged records a schema change for If-Modified-Since.
func (e *Emulator) markSchemaChanged() {
	e.schemaChanged.Store(e.clock.Now().Add(time.Second).Truncate(time.Second).Unix())
}
