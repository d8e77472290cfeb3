package bulk

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/sfbridge/sfbridge/internal/sfemu/query"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// columns are the CSV columns of a query job's results: the select list,
// relationship fields flattened to Account.Name. The query engine renders
// records as the REST API's JSON (parents nested under their relationship
// name); columns maps that JSON onto CSV cells, so that both APIs share one
// query engine and agree on every value (docs/adr/0091-bulk-csv.md).
type columns struct {
	names []string
	types []schema.FieldType
	root  *colNode
}

// colNode is a member of the records' JSON: a column, or a relationship
// holding members.
type colNode struct {
	col      int // index of the column; -1 for a relationship
	children map[string]*colNode
}

func newColumnSet() *columns {
	return &columns{root: &colNode{col: -1, children: map[string]*colNode{}}}
}

// add adds the column at a canonical path, whose values have type t.
func (c *columns) add(path []string, t schema.FieldType) {
	n := c.root
	for i, name := range path {
		child := n.children[name]
		if child == nil {
			child = &colNode{col: -1}
			if i < len(path)-1 {
				child.children = map[string]*colNode{}
			}
			n.children[name] = child
		}
		n = child
	}
	n.col = len(c.names)
	c.names = append(c.names, strings.Join(path, "."))
	c.types = append(c.types, t)
}

// renderChunk is how many records are rendered as JSON at a time.
const renderChunk = 1000

// render writes the header and the records [start, start+n) of res as CSV.
func (c *columns) render(w io.Writer, res *query.Result, d dialect, start, n int) error {
	out := d.appendRow(nil, c.names, nil)
	row := make([][]byte, len(c.names))
	var js []byte
	var sc scanner
	for s := start; s < start+n; s += renderChunk {
		js = res.AppendRecords(js[:0], s, min(renderChunk, start+n-s))
		sc.reset(js)
		err := sc.list('[', ']', func() error {
			clear(row)
			if err := sc.expect('{'); err != nil {
				return err
			}
			if err := c.object(&sc, c.root, row); err != nil {
				return err
			}
			out = appendRow(out, d, row)
			return nil
		})
		if err != nil {
			return err
		}
		if _, err := w.Write(out); err != nil {
			return fmt.Errorf("writing query results: %w", err)
		}
		out = out[:0]
	}
	if len(out) > 0 {
		_, err := w.Write(out)
		return err
	}
	return nil
}

// appendRow appends a row of cells as Bulk CSV (see dialect.appendRow).
func appendRow(dst []byte, d dialect, cells [][]byte) []byte {
	for i, c := range cells {
		if i > 0 {
			dst = append(dst, string(d.delim)...)
		}
		dst = append(dst, '"')
		for {
			j := bytes.IndexByte(c, '"')
			if j < 0 {
				break
			}
			dst = append(dst, c[:j+1]...)
			dst = append(dst, '"')
			c = c[j+1:]
		}
		dst = append(append(dst, c...), '"')
	}
	return append(dst, d.eol()...)
}

// object reads the members of a record or parent whose '{' was read into
// row, and its closing '}'.
func (c *columns) object(sc *scanner, n *colNode, row [][]byte) error {
	return sc.members(func(key []byte) error {
		child := n.children[string(key)]
		switch {
		case child == nil: // attributes, or nothing we select
			return sc.skip()
		case sc.peek() == '{':
			if child.children == nil {
				return sc.fail("an object where the value of " + string(key) + " was expected")
			}
			sc.i++
			return c.object(sc, child, row)
		case child.col < 0: // a relationship whose parent is null
			return sc.skip()
		}
		v, err := sc.scalar()
		// 2024-01-31T10:00:00.000+0000 in JSON, ...000Z in CSV.
		if c.types[child.col] == schema.TypeDateTime && bytes.HasSuffix(v, []byte("+0000")) {
			v[len(v)-5] = 'Z'
			v = v[:len(v)-4]
		}
		row[child.col] = v
		return err
	})
}

// scanner reads the JSON the query engine writes: objects, arrays,
// strings, numbers, true, false and null, without whitespace. Values are
// returned as slices of the input, unescaped in place.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) reset(b []byte) { s.b, s.i = b, 0 }

func (s *scanner) fail(what string) error {
	return fmt.Errorf("reading the query engine's records at byte %d: %s", s.i, what)
}

// peek returns the next byte, or 0 at the end.
func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return s.fail(fmt.Sprintf("want %q", c))
	}
	s.i++
	return nil
}

// list reads the elements of an array (open '[', end ']') or the rest of
// an object whose '{' was read (open 0, end '}'), calling each for every
// element or member.
func (s *scanner) list(open, end byte, each func() error) error {
	if open != 0 {
		if err := s.expect(open); err != nil {
			return err
		}
	}
	if s.peek() == end {
		s.i++
		return nil
	}
	for {
		if err := each(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case end:
			s.i++
			return nil
		default:
			return s.fail(fmt.Sprintf("want ',' or %q", end))
		}
	}
}

// members reads the rest of an object whose '{' was read, calling each
// with every key, positioned at its value.
func (s *scanner) members(each func(key []byte) error) error {
	return s.list(0, '}', func() error {
		key, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		return each(key)
	})
}

// scalar reads a string (unescaped), a number, true or false; null gives
// nil. Numbers are taken as the engine wrote them, not validated further.
func (s *scanner) scalar() ([]byte, error) {
	if s.peek() == '"' {
		return s.str()
	}
	start := s.i
	for s.i < len(s.b) && !strings.ContainsRune(",}]", rune(s.b[s.i])) {
		s.i++
	}
	v := s.b[start:s.i]
	switch string(v) {
	case "null":
		return nil, nil
	case "true", "false":
		return v, nil
	}
	if len(v) == 0 || strings.Trim(string(v), "0123456789+-.eE") != "" {
		return nil, s.fail(fmt.Sprintf("want a value, got %q", v))
	}
	return v, nil
}

// str reads a string and returns its unescaped bytes.
func (s *scanner) str() ([]byte, error) {
	if err := s.expect('"'); err != nil {
		return nil, err
	}
	start := s.i
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '"':
			v := s.b[start:s.i]
			s.i++
			return v, nil
		case '\\':
			return s.escaped(start)
		}
		s.i++
	}
	return nil, s.fail("unterminated string")
}

// escaped finishes a string that has escapes, writing the unescaped bytes
// over the input (they are never longer than the escapes).
func (s *scanner) escaped(start int) ([]byte, error) {
	w := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return s.b[start:w], nil
		case c != '\\':
			s.b[w] = c
			w, s.i = w+1, s.i+1
			continue
		case s.i+1 >= len(s.b):
			return nil, s.fail("unterminated escape")
		}
		e := s.b[s.i+1]
		s.i += 2
		if r, ok := simpleEscapes[e]; ok {
			s.b[w] = r
			w++
			continue
		}
		if e != 'u' {
			return nil, s.fail("bad escape")
		}
		r, err := s.hex4()
		if err != nil {
			return nil, err
		}
		if utf16.IsSurrogate(r) && s.i+1 < len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
			s.i += 2
			r2, err := s.hex4()
			if err != nil {
				return nil, err
			}
			r = utf16.DecodeRune(r, r2)
		}
		w += utf8.EncodeRune(s.b[w:s.i], r)
	}
	return nil, s.fail("unterminated string")
}

var simpleEscapes = map[byte]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

func (s *scanner) hex4() (rune, error) {
	if s.i+4 > len(s.b) {
		return 0, s.fail("short \\u escape")
	}
	n, err := strconv.ParseUint(string(s.b[s.i:s.i+4]), 16, 16)
	if err != nil {
		return 0, s.fail("bad \\u escape")
	}
	s.i += 4
	return rune(n), nil
}

// skip reads past a value.
func (s *scanner) skip() error {
	switch s.peek() {
	case '{':
		s.i++
		return s.members(func([]byte) error { return s.skip() })
	case '[':
		return s.list('[', ']', s.skip)
	}
	_, err := s.scalar()
	return err
}
