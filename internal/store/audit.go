package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// AuditEntry is one line of the audit log: who did what to what, when, and
// the state before and after as JSON documents.
type AuditEntry struct {
	ID      int64  // assigned by Append; entries only grow
	ActorID int64  // the user who acted; 0 for sfbridge itself (first-run setup)
	Action  string // what was done: "roles.set", "restricted.remove", "workflow.disable"
	Subject string // what it was done to: "user 4", "workflow 12"
	Detail  string // a sentence for people
	// Before and After are JSON documents of the state the action changed
	// (nil when there is none: nothing before a creation).
	Before, After json.RawMessage
	At            time.Time // zero: the transaction's time
}

// Audit is the append-only audit log, bound to a Scope. Entries are never
// changed or removed: the schema refuses it.
type Audit struct{ sc Scope }

// Audit returns the audit log, each call in its own transaction.
func (s *Store) Audit() Audit { return Audit{s} }

// Audit returns the audit log inside tx, so an entry is written with the
// change it records or not at all.
func (tx *Tx) Audit() Audit { return Audit{tx} }

// DefaultAuditPage is the number of entries a page holds when AuditPage.Limit
// is zero; MaxAuditPage is the most it may hold.
const (
	DefaultAuditPage = 50
	MaxAuditPage     = 500
)

// AuditPage selects a page of the log, newest first.
type AuditPage struct {
	// Before is the id the page starts below: 0 for the newest entries,
	// then the Next of the previous page.
	Before int64
	// Limit is the most entries to return: default DefaultAuditPage, at most
	// MaxAuditPage.
	Limit int
	// ActorID, when not zero, keeps only the entries of that actor.
	ActorID int64
	// Action, when not empty, keeps only the entries of that action and of
	// the finer actions under it: "org" keeps "org", "org.register" and
	// "org.set_polling_frequency", not "organisation".
	Action string
}

const auditColumns = `id, actor_id, action, subject, detail, before, after, at`

// Append writes e to the log and returns it with its id and time.
func (r Audit) Append(ctx context.Context, e AuditEntry) (AuditEntry, error) {
	if strings.TrimSpace(e.Action) == "" {
		return AuditEntry{}, fmt.Errorf("writing an audit entry about %q: %w: the action is empty; say what was done", e.Subject, ErrInvalid)
	}
	if e.ActorID < 0 {
		return AuditEntry{}, fmt.Errorf("writing audit entry %q: %w: actor id %d is negative", e.Action, ErrInvalid, e.ActorID)
	}
	for name, doc := range map[string]json.RawMessage{"before": e.Before, "after": e.After} {
		if doc != nil && !json.Valid(doc) {
			return AuditEntry{}, fmt.Errorf("writing audit entry %q: %w: %s is not valid JSON", e.Action, ErrInvalid, name)
		}
	}
	err := r.sc.Write(ctx, func(tx *Tx) error {
		if e.At.IsZero() {
			e.At = tx.Now()
		}
		e.At = dbTime(e.At)
		return tx.QueryRow(ctx, `INSERT INTO audit_log (actor_id, action, subject, detail, before, after, at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			e.ActorID, e.Action, e.Subject, e.Detail, jsonText(e.Before), jsonText(e.After), e.At).Scan(&e.ID)
	})
	if err != nil {
		return AuditEntry{}, fmt.Errorf("writing audit entry %q: %w", e.Action, err)
	}
	return e, nil
}

// List returns a page of entries, newest first, and the Before of the next
// page: 0 when this page is the last.
func (r Audit) List(ctx context.Context, p AuditPage) (entries []AuditEntry, next int64, err error) {
	switch {
	case p.Limit == 0:
		p.Limit = DefaultAuditPage
	case p.Limit < 0 || p.Limit > MaxAuditPage:
		return nil, 0, fmt.Errorf("reading the audit log: %w: a page holds 1 to %d entries, not %d", ErrInvalid, MaxAuditPage, p.Limit)
	}
	query, args := `SELECT `+auditColumns+` FROM audit_log WHERE 1 = 1`, []any{}
	if p.Before > 0 {
		args = append(args, p.Before)
		query += fmt.Sprintf(` AND id < $%d`, len(args))
	}
	if p.ActorID != 0 {
		args = append(args, p.ActorID)
		query += fmt.Sprintf(` AND actor_id = $%d`, len(args))
	}
	if p.Action != "" {
		args = append(args, p.Action, len(p.Action)+1, p.Action+".")
		query += fmt.Sprintf(` AND (action = $%d OR substr(action, 1, $%d) = $%d)`, len(args)-2, len(args)-1, len(args))
	}
	args = append(args, p.Limit+1) // one more tells whether a next page exists
	query += fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args))
	err = r.sc.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				e             AuditEntry
				before, after *string
			)
			if err := rows.Scan(&e.ID, &e.ActorID, &e.Action, &e.Subject, &e.Detail, &before, &after, &e.At); err != nil {
				return err
			}
			e.Before, e.After, e.At = rawJSON(before), rawJSON(after), e.At.UTC()
			entries = append(entries, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("reading the audit log: %w", err)
	}
	if len(entries) > p.Limit {
		entries = entries[:p.Limit]
		next = entries[p.Limit-1].ID
	}
	return entries, next, nil
}

// dbTime is t as the store keeps it: UTC, to the microsecond, the finest
// precision every engine holds.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// jsonText is a JSON document as a nullable text column.
func jsonText(doc json.RawMessage) any {
	if doc == nil {
		return nil
	}
	return string(doc)
}

func rawJSON(s *string) json.RawMessage {
	if s == nil {
		return nil
	}
	return json.RawMessage(*s)
}

// mustJSON encodes a value the store builds itself (maps of strings, bools
// and ids), which cannot fail to encode.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("store: encoding %T as JSON: %v", v, err))
	}
	return b
}
