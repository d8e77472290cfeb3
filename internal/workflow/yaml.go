package workflow

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// The YAML layer: the file is parsed by goccy/go-yaml into its AST, which
// keeps lines and columns, and turned into a small tree of nodes that the
// workflow decoder walks by hand. Walking by hand (rather than decoding
// into structs) is what lets one pass report every problem with its
// position instead of stopping at the first (docs/adr/0060-workflow-format.md).

type nodeKind uint8

const (
	nodeNull nodeKind = iota
	nodeScalar
	nodeMap
	nodeList
)

func (k nodeKind) String() string {
	return [...]string{"nothing", "a value", "a map", "a list"}[k]
}

// scalarType is what YAML made of a scalar.
type scalarType uint8

const (
	scalarString scalarType = iota
	scalarNumber
	scalarBool
)

type node struct {
	kind     nodeKind
	pos      Position
	reported bool // a construct already reported as unsupported
	// scalars
	text string
	typ  scalarType
	// maps, in file order
	keys   []string
	keyPos []Position
	vals   []*node
	// lists
	items []*node
}

// get returns the value of key in a map node, or nil.
func (n *node) get(key string) *node {
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// plain returns the node as plain data, the form transform arguments and
// condition values take: string, json.Number, bool, nil, []any,
// map[string]any.
func (n *node) plain() any {
	switch n.kind {
	case nodeScalar:
		switch n.typ {
		case scalarNumber:
			return json.Number(n.text)
		case scalarBool:
			return n.text == "true"
		}
		return n.text
	case nodeMap:
		m := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			m[k] = n.vals[i].plain()
		}
		return m
	case nodeList:
		l := make([]any, len(n.items))
		for i, it := range n.items {
			l[i] = it.plain()
		}
		return l
	}
	return nil
}

// parseYAML parses one YAML (or JSON) document into nodes. A syntax error
// is returned as a Problem; constructs a workflow has no use for (anchors,
// aliases, tags, merge keys, several documents) are reported as problems
// too, and the rest of the tree is still returned.
func parseYAML(data []byte, ps *problems) *node {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		p := Problem{Code: CodeSyntax, Message: err.Error()}
		var ye yaml.Error
		if errors.As(err, &ye) {
			p.Message = ye.GetMessage()
			if tk := ye.GetToken(); tk != nil && tk.Position != nil {
				p.Position = Position{tk.Position.Line, tk.Position.Column}
			}
		}
		ps.list = append(ps.list, p)
		return nil
	}
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		return &node{kind: nodeNull, pos: Position{1, 1}}
	}
	if len(docs) > 1 {
		ps.list = append(ps.list, Problem{
			Position: tokenPos(docs[1].Body.GetToken()), Code: CodeSyntax,
			Message: "a workflow file holds one document", Hint: `remove the "---" and what follows, or put it in its own file`,
		})
	}
	return convertNode(docs[0].Body, ps)
}

func tokenPos(tk *token.Token) Position {
	if tk == nil || tk.Position == nil {
		return Position{}
	}
	return Position{tk.Position.Line, tk.Position.Column}
}

func unsupported(ps *problems, n ast.Node, what string) *node {
	pos := tokenPos(n.GetToken())
	ps.list = append(ps.list, Problem{Position: pos, Code: CodeSyntax,
		Message: what + " are not supported in workflow files", Hint: "write the value out in full"})
	return &node{kind: nodeNull, pos: pos, reported: true}
}

func convertNode(n ast.Node, ps *problems) *node {
	switch v := n.(type) {
	case nil:
		return &node{kind: nodeNull}
	case *ast.NullNode:
		return &node{kind: nodeNull, pos: tokenPos(v.GetToken())}
	case *ast.StringNode:
		return &node{kind: nodeScalar, pos: tokenPos(v.GetToken()), text: v.Value}
	case *ast.LiteralNode:
		return &node{kind: nodeScalar, pos: tokenPos(v.GetToken()), text: v.Value.Value}
	case *ast.IntegerNode, *ast.FloatNode:
		tk := n.GetToken()
		out := &node{kind: nodeScalar, pos: tokenPos(tk), text: tk.Value, typ: scalarNumber}
		if !json.Valid([]byte(tk.Value)) {
			out.typ = scalarString // 0x1F, 1_000, .inf: keep the text as written
		}
		return out
	case *ast.BoolNode:
		return &node{kind: nodeScalar, pos: tokenPos(v.GetToken()), text: fmt.Sprint(v.Value), typ: scalarBool}
	case *ast.MappingNode:
		out := &node{kind: nodeMap, pos: mapPos(v)}
		for _, mv := range v.Values {
			addPair(out, mv, ps)
		}
		return out
	case *ast.MappingValueNode:
		out := &node{kind: nodeMap, pos: tokenPos(v.Key.GetToken())}
		addPair(out, v, ps)
		return out
	case *ast.SequenceNode:
		out := &node{kind: nodeList, pos: tokenPos(v.GetToken())}
		for _, it := range v.Values {
			out.items = append(out.items, convertNode(it, ps))
		}
		return out
	case *ast.AnchorNode:
		return unsupported(ps, n, "anchors (&name)")
	case *ast.AliasNode:
		return unsupported(ps, n, "aliases (*name)")
	case *ast.TagNode:
		return unsupported(ps, n, "tags (!!type)")
	}
	return unsupported(ps, n, fmt.Sprintf("YAML %s nodes", n.Type()))
}

// mapPos is where a map starts: its first key, or its "{".
func mapPos(m *ast.MappingNode) Position {
	if len(m.Values) > 0 {
		return tokenPos(m.Values[0].Key.GetToken())
	}
	return tokenPos(m.GetToken())
}

func addPair(out *node, mv *ast.MappingValueNode, ps *problems) {
	if mv.Key.IsMergeKey() {
		unsupported(ps, mv.Key, "merge keys (<<)")
		return
	}
	key := mv.Key.GetToken().Value
	if s, ok := mv.Key.(*ast.StringNode); ok {
		key = s.Value
	}
	val := convertNode(mv.Value, ps)
	if val.pos.Line == 0 {
		// An empty value ("key:") is placed at its key.
		val.pos = tokenPos(mv.Key.GetToken())
	}
	out.keys = append(out.keys, key)
	out.keyPos = append(out.keyPos, tokenPos(mv.Key.GetToken()))
	out.vals = append(out.vals, val)
}

// ---- decoding helpers ----

// decoder walks nodes into a Definition, recording positions and problems.
type decoder struct {
	problems
	broken map[string]bool // paths that had a problem
}

func (d *decoder) fail(path string, code Code, hint, format string, args ...any) {
	d.add(path, code, hint, format, args...)
	d.broken[path] = true
}

// want checks a node's kind; it reports the mismatch and returns false.
func (d *decoder) want(n *node, path string, kind nodeKind, example string) bool {
	if n.kind == kind {
		return true
	}
	if n.reported {
		d.broken[path] = true
		return false
	}
	hint := ""
	if example != "" {
		hint = "for example " + example
	}
	d.fail(path, CodeInvalidValue, hint, "expected %s, found %s", kind, n.kind)
	return false
}

// key describes one key a map may have.
type key struct {
	name     string
	required bool
	decode   func(n *node, path string)
}

// fields decodes a map by its keys: each known key's decode runs, unknown
// keys and missing required keys are reported. It returns false when the
// node is not a map.
func (d *decoder) fields(n *node, path string, keys []key) bool {
	if !d.want(n, path, nodeMap, "") {
		return false
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.name
	}
	for i, name := range n.keys {
		p := child(path, name)
		d.pos[p] = n.vals[i].pos
		if !slices.Contains(names, name) {
			d.pos[p] = n.keyPos[i]
			d.fail(p, CodeUnknownKey, didYouMean(name, names), "unknown key %q", name)
		}
	}
	for _, k := range keys {
		v := n.get(k.name)
		if v == nil {
			if k.required {
				d.fail(path, CodeMissingKey, "", "missing %q", k.name)
			}
			continue
		}
		k.decode(v, child(path, k.name))
	}
	return true
}

// str decodes a scalar as text into dst.
func (d *decoder) str(dst *string) func(*node, string) {
	return func(n *node, path string) {
		if d.want(n, path, nodeScalar, "") {
			*dst = n.text
		}
	}
}

// enum decodes one of a set of words into dst.
func enum[T ~string](d *decoder, dst *T, words ...T) func(*node, string) {
	return func(n *node, path string) {
		if !d.want(n, path, nodeScalar, "") {
			return
		}
		for _, w := range words {
			if string(w) == n.text {
				*dst = w
				return
			}
		}
		names := make([]string, len(words))
		for i, w := range words {
			names[i] = string(w)
		}
		hint := didYouMean(n.text, names)
		if hint == "" {
			hint = "use one of: " + strings.Join(names, ", ")
		}
		d.fail(path, CodeInvalidValue, hint, "%q is not one of %s", n.text, strings.Join(names, ", "))
	}
}
