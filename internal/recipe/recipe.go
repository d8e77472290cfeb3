package recipe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/workflow"
)

// ClientFunc returns the client of owner's own connection to org. Its
// errors come back from Recipes unchanged (wrapped with context), so that
// each door says in its own words how to connect.
type ClientFunc func(ctx context.Context, org store.Org, owner store.User) (*salesforce.Client, error)

// Recipes validates, stores, enables and dry-runs workflows for the CLI and
// the API. Store and Client are required.
type Recipes struct {
	Store  *store.Store
	Client ClientFunc
	// Logger receives what is worth a warning but fails nothing (the API
	// usage of an org that could not be recorded). Default: discard.
	Logger *slog.Logger
}

// Checked is a workflow document that passed validation, with the org and
// the owner it names.
type Checked struct {
	File  string // what messages call the document: a file name, "workflow"
	Doc   string // the document as written
	Def   *workflow.Definition
	Plan  *workflow.Plan
	Org   store.Org
	Owner store.User
}

// Check validates a workflow document against its org as its owner sees
// it. Problems in the document come back as a *workflow.ValidationError,
// every one of them; the error is for what is not a problem in the
// document: an owner sfbridge does not know (ErrOwnerUnknown), an owner
// without a connection (ClientFunc's error), an org that cannot be reached.
// file names the document in messages.
func (r *Recipes) Check(ctx context.Context, file string, data []byte) (Checked, *workflow.ValidationError, error) {
	c := Checked{File: file, Doc: string(data)}
	orgs, err := r.Store.Orgs().List(ctx)
	if err != nil {
		return c, nil, err
	}
	names := make([]string, len(orgs))
	for i, o := range orgs {
		names[i] = o.Name
	}
	env := workflow.Env{Orgs: names}

	def, err := workflow.ParseFile(file, data)
	var ve *workflow.ValidationError
	if err != nil && !errors.As(err, &ve) {
		return c, nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	i := -1
	if def != nil {
		i = slices.IndexFunc(orgs, func(o store.Org) bool { return o.Name == def.Org })
	}
	if i < 0 {
		// Without the org there is nothing to describe: report the
		// document's own problems and the unknown org, not objects
		// "missing" from it.
		env.Describe = func(context.Context, string) (*salesforce.SObjectDescribe, error) {
			return nil, workflow.ErrObjectNotFound
		}
		_, _, err := workflow.Load(ctx, file, data, env)
		if errors.As(err, &ve) {
			ve.Problems = slices.DeleteFunc(ve.Problems, func(p workflow.Problem) bool { return p.Code == workflow.CodeUnknownObject })
			return c, ve, nil
		}
		return c, nil, err
	}
	c.Org = orgs[i]
	if c.Owner, err = r.Store.Users().ByLogin(ctx, def.Owner); err != nil {
		if ve != nil {
			return c, ve, nil // the document's own problems first
		}
		if errors.Is(err, store.ErrNotFound) {
			return c, nil, fmt.Errorf("%s: %w: %q is no login of this server; name an existing person as owner: %w",
				file, ErrOwnerUnknown, def.Owner, ErrInvalid)
		}
		return c, nil, err
	}
	client, err := r.Client(ctx, c.Org, c.Owner)
	if err != nil {
		return c, nil, fmt.Errorf("%s: %w", file, err)
	}
	env.Describe = Describer(client)
	if g, err := client.DescribeGlobal(ctx); err == nil {
		for _, s := range g.SObjects {
			env.Objects = append(env.Objects, s.Name)
		}
	}
	c.Def, c.Plan, err = workflow.Load(ctx, file, data, env)
	r.RecordUsage(ctx, c.Org, client.Budget())
	if errors.As(err, &ve) {
		return c, ve, nil
	}
	if err != nil {
		return c, nil, fmt.Errorf("%s: describing the objects of org %q: %w", file, c.Org.Name, err)
	}
	return c, nil, nil
}

// RecordUsage stores the API usage the org last reported through a
// client's budget, if it reported any.
func (r *Recipes) RecordUsage(ctx context.Context, o store.Org, b *salesforce.Budget) {
	s := b.Snapshot()
	if s.Seen.IsZero() {
		return
	}
	if err := r.Store.Orgs().RecordAPIUsage(ctx, o.ID, int64(s.Used), int64(s.Max)); err != nil && r.Logger != nil {
		r.Logger.Warn("recording API usage", "org", o.Name, "err", err)
	}
}

// Outcome says what Apply did.
type Outcome string

// Outcomes of Apply.
const (
	Created   Outcome = "created"
	Updated   Outcome = "updated"   // a new version
	Unchanged Outcome = "unchanged" // the same document (its enabled flag may have changed)
)

// Applied is a workflow stored by Apply.
type Applied struct {
	Workflow store.Workflow
	Outcome  Outcome
}

// Change is who stores a workflow, for the audit log.
type Change struct {
	ActorID int64  // the person acting; 0 for sfbridge itself
	Via     string // the door: "cli", "api"
	// BaseVersion is the version the document was edited from; 0 takes
	// the stored one (the CLI's last-writer-wins). A workflow at another
	// version fails with store.ErrConflict and changes nothing.
	BaseVersion int
}

// Apply stores a checked workflow: created at version 1, or its document
// replaced by a new version; the document's enabled flag is applied too.
// The change and its audit entry are written in one transaction. A
// workflow of that name stored with another org or owner fails with
// ErrOrgOrOwnerChanged.
func (r *Recipes) Apply(ctx context.Context, c Checked, ch Change) (Applied, error) {
	var out Applied
	err := r.Store.Write(ctx, func(tx *store.Tx) error {
		cur, err := tx.Workflows().ByName(ctx, c.Def.Name)
		if errors.Is(err, store.ErrNotFound) {
			wf, err := tx.Workflows().Create(ctx, store.Workflow{
				Name: c.Def.Name, OrgID: c.Org.ID, OwnerID: c.Owner.ID, Enabled: c.Def.Enabled, Document: c.Doc,
			})
			if err != nil {
				return err
			}
			out = Applied{Workflow: wf, Outcome: Created}
			return audit(ctx, tx, ch, "workflow.create", wf,
				fmt.Sprintf("created workflow %q (version 1, %s) through the %s", wf.Name, EnabledLabel(wf.Enabled), ch.Via), nil, fullState(wf))
		}
		if err != nil {
			return err
		}
		if cur.OrgID != c.Org.ID || cur.OwnerID != c.Owner.ID {
			return fmt.Errorf("%s: workflow %q is stored with another org or owner: %w; give it another name: %w",
				c.File, c.Def.Name, ErrOrgOrOwnerChanged, ErrInvalid)
		}
		base := cur.Version
		if ch.BaseVersion != 0 {
			base = ch.BaseVersion
		}
		author := ch.ActorID
		if author == 0 {
			author = c.Owner.ID // the CLI acts for the owner
		}
		wf, err := tx.Workflows().UpdateDocument(ctx, cur.ID, base, c.Doc, author)
		if err != nil {
			return err
		}
		if wf.Enabled != c.Def.Enabled {
			if err := tx.Workflows().SetEnabled(ctx, wf.ID, c.Def.Enabled); err != nil {
				return err
			}
			wf.Enabled = c.Def.Enabled
		}
		out = Applied{Workflow: wf, Outcome: Updated}
		if wf.Version == cur.Version {
			out.Outcome = Unchanged
			if wf.Enabled == cur.Enabled {
				return nil // nothing changed: nothing to audit
			}
		}
		return audit(ctx, tx, ch, "workflow.edit", wf,
			fmt.Sprintf("workflow %q: version %d -> %d, %s -> %s, through the %s", wf.Name, cur.Version, wf.Version,
				EnabledLabel(cur.Enabled), EnabledLabel(wf.Enabled), ch.Via), fullState(cur), fullState(wf))
	})
	if err != nil {
		return Applied{}, fmt.Errorf("storing workflow %q: %w", c.Def.Name, err)
	}
	return out, nil
}

// SetEnabled turns a stored workflow on or off, with its audit entry.
// Enabling checks the workflow against its org as it is now, through the
// owner's connection (fields may have changed since it was stored): a
// workflow that no longer compiles fails with its *workflow.ValidationError
// and stays off. It returns the workflow as stored.
func (r *Recipes) SetEnabled(ctx context.Context, wf store.Workflow, enabled bool, ch Change) (store.Workflow, error) {
	if enabled {
		org, err := r.Store.Orgs().Get(ctx, wf.OrgID)
		if err != nil {
			return wf, err
		}
		owner, err := r.Store.Users().Get(ctx, wf.OwnerID)
		if err != nil {
			return wf, err
		}
		client, err := r.Client(ctx, org, owner)
		if err != nil {
			return wf, err
		}
		_, err = Compile(ctx, wf, client)
		r.RecordUsage(ctx, org, client.Budget())
		if err != nil {
			return wf, fmt.Errorf("workflow %q cannot be enabled: %w", wf.Name, err)
		}
	}
	before := wf
	err := r.Store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.Workflows().SetEnabled(ctx, wf.ID, enabled); err != nil {
			return err
		}
		wf.Enabled = enabled
		act := "workflow.disable"
		if enabled {
			act = "workflow.enable"
		}
		return audit(ctx, tx, ch, act, wf, fmt.Sprintf("workflow %q %s through the %s", wf.Name, EnabledLabel(enabled), ch.Via),
			enabledState(before), enabledState(wf))
	})
	if err != nil {
		return before, fmt.Errorf("turning workflow %q %s: %w", wf.Name, map[bool]string{true: "on", false: "off"}[enabled], err)
	}
	return wf, nil
}

// Compile compiles a stored workflow against its org as client describes
// it: what Salesforce requires on create, what the operation may write and
// which types convert are checked here, so a workflow that would fail
// every row never runs.
func Compile(ctx context.Context, wf store.Workflow, client *salesforce.Client) (*workflow.Plan, error) {
	def, err := workflow.Parse([]byte(wf.Document))
	if err != nil {
		return nil, fmt.Errorf("reading workflow %q version %d: %w", wf.Name, wf.Version, err)
	}
	plan, err := workflow.Compile(ctx, def, workflow.Env{Describe: Describer(client)})
	if err != nil {
		return nil, fmt.Errorf("checking workflow %q version %d against its org: %w", wf.Name, wf.Version, err)
	}
	return plan, nil
}

// Describer adapts a client's Describe to what workflow.Compile expects.
func Describer(client *salesforce.Client) workflow.DescribeFunc {
	return func(ctx context.Context, object string) (*salesforce.SObjectDescribe, error) {
		d, err := client.Describe(ctx, object)
		if errors.Is(err, salesforce.ErrNotFound) {
			return nil, fmt.Errorf("%w: %w", workflow.ErrObjectNotFound, err)
		}
		return d, err
	}
}

// EnabledLabel is "enabled" or "disabled".
func EnabledLabel(enabled bool) string {
	if enabled {
		return "enabled"
	}
	return "disabled"
}

// state is what the audit log keeps of a workflow.
type state struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	OrgID    int64  `json:"org_id,omitempty"`
	OwnerID  int64  `json:"owner_id,omitempty"`
	Enabled  bool   `json:"enabled"`
	Version  int    `json:"version,omitempty"`
	Document string `json:"document,omitempty"`
}

func fullState(wf store.Workflow) state {
	return state{ID: wf.ID, Name: wf.Name, OrgID: wf.OrgID, OwnerID: wf.OwnerID, Enabled: wf.Enabled, Version: wf.Version, Document: wf.Document}
}

func enabledState(wf store.Workflow) state {
	return state{ID: wf.ID, Name: wf.Name, Enabled: wf.Enabled}
}

// audit writes the audit entry of a change to wf in tx.
func audit(ctx context.Context, tx *store.Tx, ch Change, act string, wf store.Workflow, detail string, before, after any) error {
	e := store.AuditEntry{ActorID: ch.ActorID, Action: act, Subject: fmt.Sprintf("workflow %d", wf.ID), Detail: detail}
	var err error
	if before != nil {
		if e.Before, err = json.Marshal(before); err != nil {
			return err
		}
	}
	if e.After, err = json.Marshal(after); err != nil {
		return err
	}
	_, err = tx.Audit().Append(ctx, e)
	return err
}
