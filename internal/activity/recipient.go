package activity

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// resolve maps email addresses to the contacts, then the leads, the user
// may use (scope). Known recipients come contacts first, each in
// the order given; unknown keeps the addresses that matched nothing. An
// address shared by several records resolves to the oldest ID.
func resolve(ctx context.Context, conn Conn, scope RecipientScope, emails []string) (known []Recipient, unknown []string, err error) {
	found := map[string]Recipient{}
	pending := dedupeFold(emails)
	for _, object := range []string{"Contact", "Lead"} {
		if len(pending) == 0 {
			break
		}
		quoted := make([]string, len(pending))
		for i, e := range pending {
			quoted[i] = quote(e)
		}
		where := "Email IN (" + strings.Join(quoted, ", ") + ")"
		byEmail, err := find(ctx, conn, scope, object, where)
		if err != nil {
			return nil, nil, err
		}
		var rest []string
		for _, e := range pending {
			r, ok := byEmail[strings.ToLower(e)]
			if !ok {
				rest = append(rest, e)
				continue
			}
			found[strings.ToLower(e)] = r
		}
		pending = rest
	}
	for _, object := range []string{"Contact", "Lead"} {
		for _, e := range dedupeFold(emails) {
			if r, ok := found[strings.ToLower(e)]; ok && r.Object == object && !slices.ContainsFunc(known, func(k Recipient) bool { return k.ID == r.ID }) {
				known = append(known, r)
			}
		}
	}
	for _, e := range dedupeFold(emails) {
		if _, ok := found[strings.ToLower(e)]; !ok {
			unknown = append(unknown, e)
		}
	}
	return known, unknown, nil
}

// find queries object's records matching where (and the scope) that have
// an email, keyed by lower-case email (first record of each wins).
func find(ctx context.Context, conn Conn, scope RecipientScope, object, where string) (map[string]Recipient, error) {
	out, err := list(ctx, conn, scope, object, where, "Id", 0)
	if err != nil {
		return nil, err
	}
	m := map[string]Recipient{}
	for _, r := range out {
		if _, ok := m[strings.ToLower(r.Email)]; !ok {
			m[strings.ToLower(r.Email)] = r
		}
	}
	return m, nil
}

// list queries object's records with an email matching where, within the
// scope, in order, at most limit (0: no limit).
func list(ctx context.Context, conn Conn, scope RecipientScope, object, where, order string, limit int) ([]Recipient, error) {
	q := "SELECT Id, Name, Email FROM " + object + " WHERE Email != null AND (" + where + ")"
	if object == "Lead" {
		q += " AND IsConverted = false"
	}
	if scope == ScopeOwned {
		tok := conn.Token()
		q += " AND OwnerId = " + quote(tok.UserID())
	}
	q += " ORDER BY " + order
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	var out []Recipient
	for rec, err := range conn.Query(ctx, q) {
		if err != nil {
			return nil, fmt.Errorf("finding %s recipients: %w", object, err)
		}
		name, _ := rec.String("Name")
		email, _ := rec.String("Email")
		out = append(out, Recipient{ID: rec.ID(), Object: object, Name: name, Email: email})
	}
	return out, nil
}

// Suggest returns up to limit contacts, then leads, the user may log
// activities with whose first name, last name, full name or email starts
// with prefix: what a recipient field offers while the user types. It
// costs two queries.
func (s *Service) Suggest(ctx context.Context, conn Conn, prefix string, limit int) ([]Recipient, error) {
	prefix = strings.TrimSpace(prefix)
	if prefix == "" {
		return nil, &RequestError{Field: "prefix", Reason: "type at least one character"}
	}
	if limit <= 0 {
		return nil, &RequestError{Field: "limit", Reason: fmt.Sprintf("%d: ask for at least one suggestion", limit)}
	}
	st, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	like := "'" + escapeLike(escape(prefix)) + "%'"
	var where []string
	for _, f := range []string{"FirstName", "LastName", "Name", "Email"} {
		where = append(where, f+" LIKE "+like)
	}
	var out []Recipient
	for _, object := range []string{"Contact", "Lead"} {
		rs, err := list(ctx, conn, st.Scope, object, strings.Join(where, " OR "), "Name, Id", limit-len(out))
		if err != nil {
			return nil, err
		}
		if out = append(out, rs...); len(out) >= limit {
			break
		}
	}
	return out, nil
}

// dedupeFold drops later duplicates of an address, ignoring case.
func dedupeFold(emails []string) []string {
	var out []string
	for _, e := range emails {
		if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, e) }) {
			out = append(out, e)
		}
	}
	return out
}

// quote returns s as a SOQL string literal.
func quote(s string) string { return "'" + escape(s) + "'" }

// escape escapes s for the inside of a SOQL string literal.
func escape(s string) string { return strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) }

// escapeLike escapes LIKE's wildcards in s, already escaped for a literal.
func escapeLike(s string) string {
	return strings.NewReplacer(`%`, `\%`, `_`, `\_`).Replace(s)
}
