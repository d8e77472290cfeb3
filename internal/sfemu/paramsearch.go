package sfemu

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// paramSearch is a parameterizedSearch request, from the query string (GET)
// or the JSON body (POST).
type paramSearch struct {
	Q            string         `json:"q"`
	In           string         `json:"in"`
	Fields       []string       `json:"fields"`
	SObjects     []paramSObject `json:"sobjects"`
	OverallLimit *int           `json:"overallLimit"`
	DefaultLimit *int           `json:"defaultLimit"`
}

type paramSObject struct {
	Name   string   `json:"name"`
	Fields []string `json:"fields"`
	Limit  *int     `json:"limit"`
	Where  string   `json:"where"`
}

// soslReserved are the characters a parameterizedSearch term escapes when
// turned into SOSL (* and ? stay wildcards).
var soslReserved = strings.NewReplacer(
	`\`, `\\`, `&`, `\&`, `|`, `\|`, `!`, `\!`, `{`, `\{`, `}`, `\}`, `[`, `\[`, `]`, `\]`, `(`, `\(`,
	`)`, `\)`, `^`, `\^`, `~`, `\~`, `:`, `\:`, `"`, `\"`, `'`, `\'`, `+`, `\+`, `-`, `\-`,
)

// paramSearchFromQuery reads the GET form: q, in, fields, sobject (repeated),
// <Object>.fields, <Object>.limit, <Object>.where, overallLimit, defaultLimit.
func paramSearchFromQuery(q url.Values) (*paramSearch, error) {
	ps := &paramSearch{Q: q.Get("q"), In: q.Get("in")}
	if f := q.Get("fields"); f != "" {
		ps.Fields = splitList(f)
	}
	intParam := func(name string) (*int, error) {
		s := q.Get(name)
		if s == "" {
			return nil, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return nil, invalidSearchParam(name, s, "a whole number of 0 or more")
		}
		return &n, nil
	}
	var err error
	if ps.OverallLimit, err = intParam("overallLimit"); err != nil {
		return nil, err
	}
	if ps.DefaultLimit, err = intParam("defaultLimit"); err != nil {
		return nil, err
	}
	for _, name := range q["sobject"] {
		so := paramSObject{Name: name}
		if f := q.Get(name + ".fields"); f != "" {
			so.Fields = splitList(f)
		}
		if so.Limit, err = intParam(name + ".limit"); err != nil {
			return nil, err
		}
		so.Where = q.Get(name + ".where")
		ps.SObjects = append(ps.SObjects, so)
	}
	return ps, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func invalidSearchParam(name, value, want string) *apiError {
	return newAPIError(http.StatusBadRequest, "INVALID_SEARCH",
		fmt.Sprintf("Invalid value for parameter %s: %q; expected %s.", name, value, want))
}

// sosl turns the request into the equivalent SOSL statement.
func (ps *paramSearch) sosl() (string, error) {
	term := strings.TrimSpace(ps.Q)
	if term == "" {
		return "", newAPIError(http.StatusBadRequest, "MISSING_ARGUMENT", "Missing required parameter: q")
	}
	var b strings.Builder
	b.WriteString("FIND {" + soslReserved.Replace(term) + "}")
	if ps.In != "" {
		in := strings.ToUpper(ps.In)
		switch in {
		case "ALL", "NAME", "EMAIL", "PHONE", "SIDEBAR":
		default:
			return "", invalidSearchParam("in", ps.In, "ALL, NAME, EMAIL, PHONE or SIDEBAR")
		}
		b.WriteString(" IN " + in + " FIELDS")
	}
	for i, so := range ps.SObjects {
		if so.Name == "" {
			return "", invalidSearchParam(fmt.Sprintf("sobjects[%d].name", i), "", "an object name")
		}
		if i == 0 {
			b.WriteString(" RETURNING ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(so.Name)
		fields := so.Fields
		if len(fields) == 0 {
			fields = ps.Fields
		}
		limit := so.Limit
		if limit == nil {
			limit = ps.DefaultLimit
		}
		if len(fields) == 0 && so.Where == "" && limit == nil {
			continue
		}
		if len(fields) == 0 {
			fields = []string{"Id"}
		}
		b.WriteString("(" + strings.Join(fields, ", "))
		if so.Where != "" {
			b.WriteString(" WHERE " + so.Where)
		}
		if limit != nil {
			b.WriteString(" LIMIT " + strconv.Itoa(*limit))
		}
		b.WriteString(")")
	}
	if ps.OverallLimit != nil {
		b.WriteString(" LIMIT " + strconv.Itoa(*ps.OverallLimit))
	}
	return b.String(), nil
}
