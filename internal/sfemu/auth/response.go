package auth

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
)

// field is one key/value of an OAuth response; responses keep Salesforce's
// key order.
type field struct{ key, value string }

// responseFormat picks the token endpoint's response format as Salesforce
// does: the format parameter (json, urlencoded, xml), else the Accept
// header, else JSON.
func responseFormat(r *http.Request) string {
	switch f := strings.ToLower(r.FormValue("format")); f {
	case "json", "urlencoded", "xml":
		return f
	}
	accept := r.Header.Get("Accept")
	switch {
	case strings.Contains(accept, "application/json"):
		return "json"
	case strings.Contains(accept, "application/x-www-form-urlencoded"):
		return "urlencoded"
	case strings.Contains(accept, "application/xml"), strings.Contains(accept, "text/xml"):
		return "xml"
	}
	return "json"
}

// writeFields writes an OAuth response in the requested format.
func writeFields(w http.ResponseWriter, r *http.Request, status int, fields []field) {
	var body bytes.Buffer
	var ctype string
	switch responseFormat(r) {
	case "urlencoded":
		ctype = "application/x-www-form-urlencoded;charset=UTF-8"
		for i, f := range fields {
			if i > 0 {
				body.WriteByte('&')
			}
			body.WriteString(url.QueryEscape(f.key) + "=" + url.QueryEscape(f.value))
		}
	case "xml":
		ctype = "application/xml;charset=UTF-8"
		body.WriteString(`<?xml version="1.0" encoding="UTF-8"?><OAuth>`)
		for _, f := range fields {
			body.WriteString("<" + f.key + ">")
			_ = xml.EscapeText(&body, []byte(f.value)) // writes to a bytes.Buffer cannot fail
			body.WriteString("</" + f.key + ">")
		}
		body.WriteString("</OAuth>")
	default:
		ctype = "application/json;charset=UTF-8"
		body.WriteByte('{')
		for i, f := range fields {
			if i > 0 {
				body.WriteByte(',')
			}
			k, _ := json.Marshal(f.key) // strings always marshal
			v, _ := json.Marshal(f.value)
			body.Write(k)
			body.WriteByte(':')
			body.Write(v)
		}
		body.WriteByte('}')
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", "no-cache,must-revalidate,max-age=0,no-store,private")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(body.Bytes())
}

// writeError writes an OAuth error response.
func writeError(w http.ResponseWriter, r *http.Request, e *Error) {
	writeFields(w, r, e.status(), []field{{"error", e.Code}, {"error_description", e.Description}})
}

// writeJSON writes v as JSON with Salesforce's content type.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
