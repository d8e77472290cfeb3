package sfemu

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// jsonContentType is the Content-Type of every REST response.
const jsonContentType = "application/json;charset=UTF-8"

// maxBodyBytes bounds a REST request body.
const maxBodyBytes = 50 << 20

// writeJSON writes v with Salesforce's content type; X-PrettyPrint: 1
// indents it.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if r.Header.Get("X-PrettyPrint") == "1" {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil { // only our own values are encoded: a bug
		panic(fmt.Sprintf("sfemu: encoding a %T response: %v", v, err))
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	w.Header().Set("Content-Type", jsonContentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeAPIError renders a REST error.
func writeAPIError(w http.ResponseWriter, r *http.Request, e *apiError) {
	for k, v := range e.Header {
		w.Header()[k] = v
	}
	writeJSON(w, r, e.Status, e.body())
}

// decodeJSON reads the request body into v, answering Salesforce's
// JSON_PARSER_ERROR for anything that is not the JSON expected.
func decodeJSON(r *http.Request, v any) error {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return newAPIError(http.StatusRequestEntityTooLarge, "REQUEST_ENTITY_TOO_LARGE", "Request body too large")
		}
		return jsonParserError("Unable to read the request body: " + err.Error())
	}
	return parseJSON(data, v)
}

// parseJSON decodes data into v with Salesforce-like parser messages.
func parseJSON(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return jsonParserError("No content to map due to end-of-input at [line:1, column:0]")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		rest := dec.InputOffset()
		for rest < int64(len(data)) && strings.ContainsRune(" \t\r\n", rune(data[rest])) {
			rest++
		}
		err = &json.SyntaxError{Offset: rest + 1}
	}
	if err == nil {
		return nil
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		idx := int(syntax.Offset) - 1
		line, col := position(data, idx)
		ch := data[min(max(idx, 0), len(data)-1)]
		return jsonParserError(fmt.Sprintf("Unexpected character ('%c' (code %d)): was expecting a valid JSON value at [line:%d, column:%d]",
			ch, ch, line, col))
	case errors.As(err, &typ):
		line, col := position(data, int(typ.Offset)-1)
		return jsonParserError(fmt.Sprintf("Cannot deserialize instance of %s out of %s token at [line:%d, column:%d]",
			jsonKind(typ.Type.Kind().String()), jsonToken(typ.Value), line, col))
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := position(data, len(data))
		return jsonParserError(fmt.Sprintf("Unexpected end-of-input: expected close marker at [line:%d, column:%d]", line, col))
	}
	return jsonParserError(err.Error())
}

// position turns a 0-based byte index into Jackson's 1-based line and column.
func position(data []byte, idx int) (line, col int) {
	idx = min(max(idx, 0), len(data))
	before := data[:idx]
	line = bytes.Count(before, []byte("\n")) + 1
	col = idx - bytes.LastIndexByte(before, '\n')
	return line, col
}

func jsonKind(goKind string) string {
	switch goKind {
	case "slice", "array":
		return "List"
	case "map", "struct":
		return "Map"
	}
	return goKind
}

func jsonToken(value string) string {
	switch value {
	case "array":
		return "START_ARRAY"
	case "object":
		return "START_OBJECT"
	case "string":
		return "VALUE_STRING"
	case "bool":
		return "VALUE_TRUE"
	case "number":
		return "VALUE_NUMBER_INT"
	}
	return strings.ToUpper(value)
}

// gzipWriter compresses a response when the client accepts gzip. It
// starts compressing on the first body byte, so bodiless responses (204)
// stay bodiless.
type gzipWriter struct {
	http.ResponseWriter
	gz          *gzip.Writer
	wroteHeader bool
}

func (g *gzipWriter) WriteHeader(status int) {
	if g.wroteHeader {
		return
	}
	g.wroteHeader = true
	if status != http.StatusNoContent && status != http.StatusNotModified {
		h := g.Header()
		h.Del("Content-Length")
		h.Set("Content-Encoding", "gzip")
		h.Add("Vary", "Accept-Encoding")
		g.gz = gzipPool.Get().(*gzip.Writer)
		g.gz.Reset(g.ResponseWriter)
	}
	g.ResponseWriter.WriteHeader(status)
}

func (g *gzipWriter) Write(b []byte) (int, error) {
	if !g.wroteHeader {
		g.WriteHeader(http.StatusOK)
	}
	if g.gz == nil {
		return g.ResponseWriter.Write(b)
	}
	return g.gz.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (for dropped-connection faults).
func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

func (g *gzipWriter) close() {
	if g.gz != nil {
		_ = g.gz.Close()
		gzipPool.Put(g.gz)
		g.gz = nil
	}
}

// gzipPool recycles compressors: each holds several hundred KB.
var gzipPool = sync.Pool{New: func() any { return gzip.NewWriter(io.Discard) }}

// withGzip decodes gzip request bodies and compresses responses for
// clients that send Accept-Encoding: gzip.
func withGzip(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				writeAPIError(w, r, jsonParserError("Request body is not valid gzip: "+err.Error()))
				return
			}
			r.Body = zr
			r.Header.Del("Content-Encoding")
			r.Header.Del("Content-Length")
			r.ContentLength = -1
		}
		if !acceptsGzip(r.Header.Get("Accept-Encoding")) {
			next.ServeHTTP(w, r)
			return
		}
		gw := &gzipWriter{ResponseWriter: w}
		defer gw.close()
		next.ServeHTTP(gw, r)
	})
}

func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
