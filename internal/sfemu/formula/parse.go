package formula

import (
	"strconv"
	"strings"
)

// Node is a parsed formula expression.
type Node struct {
	Kind NodeKind
	Pos  int    // 1-based character position in the formula
	Text string // operator, function name (upper case), field path, or literal text
	Num  float64
	Args []*Node // operands, or function arguments
}

// NodeKind says what a Node is.
type NodeKind uint8

// The kinds of Node.
const (
	NodeNumber NodeKind = iota
	NodeString
	NodeBool // Text "TRUE" or "FALSE"
	NodeNull
	NodeField // Text is the path as written: "Amount", "Account.Name"
	NodeCall  // Text is the upper-case function name
	NodeUnary // Text "-", "+" or "!"
	NodeBinary
)

// maxDepth bounds nesting so that a hostile formula cannot exhaust the stack.
const maxDepth = 200

type parser struct {
	toks  []token
	i     int
	depth int
}

// Parse parses a formula into its syntax tree, without resolving fields or
// checking types (Compile does both). Errors are *Error.
func Parse(src string) (*Node, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	if len(toks) == 1 {
		return nil, errorf(1, "Syntax error. The formula is empty")
	}
	p := &parser{toks: toks}
	n, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, errorf(t.pos, "Syntax error. Extra '%s'", t.text)
	}
	return n, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

// precedence of binary operators, higher binds tighter.
func precedence(op string) int {
	switch op {
	case "||":
		return 1
	case "&&":
		return 2
	case "=", "==", "!=", "<>", "<", "<=", ">", ">=":
		return 3
	case "+", "-", "&":
		return 4
	case "*", "/":
		return 5
	case "^":
		return 7
	}
	return 0
}

func (p *parser) expr(minPrec int) (*Node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, errorf(p.peek().pos, "Formula is too deeply nested")
	}
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		prec := precedence(t.text)
		if t.kind != tokOp || prec == 0 || prec <= minPrec {
			return left, nil
		}
		p.next()
		next := prec
		if t.text == "^" {
			next = prec - 1 // right-associative
		}
		right, err := p.expr(next)
		if err != nil {
			return nil, err
		}
		left = &Node{Kind: NodeBinary, Pos: t.pos, Text: t.text, Args: []*Node{left, right}}
	}
}

func (p *parser) unary() (*Node, error) {
	t := p.peek()
	if t.kind == tokOp && (t.text == "-" || t.text == "+" || t.text == "!") {
		p.next()
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxDepth {
			return nil, errorf(t.pos, "Formula is too deeply nested")
		}
		operand, err := p.unary()
		if err != nil {
			return nil, err
		}
		if t.text != "!" {
			// Unary minus binds looser than ^: -2^2 is -4.
			for p.peek().kind == tokOp && p.peek().text == "^" {
				op := p.next()
				right, err := p.expr(precedence("^") - 1)
				if err != nil {
					return nil, err
				}
				operand = &Node{Kind: NodeBinary, Pos: op.pos, Text: "^", Args: []*Node{operand, right}}
			}
		}
		return &Node{Kind: NodeUnary, Pos: t.pos, Text: t.text, Args: []*Node{operand}}, nil
	}
	return p.primary()
}

func (p *parser) primary() (*Node, error) {
	t := p.next()
	switch t.kind {
	case tokNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, errorf(t.pos, "Syntax error. Found '%s'", t.text)
		}
		return &Node{Kind: NodeNumber, Pos: t.pos, Text: t.text, Num: f}, nil
	case tokString:
		return &Node{Kind: NodeString, Pos: t.pos, Text: t.text}, nil
	case tokLParen:
		n, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tokRParen {
			return nil, errorf(c.pos, "Syntax error. Missing ')'")
		}
		return n, nil
	case tokIdent:
		if p.peek().kind == tokLParen {
			return p.call(t)
		}
		switch strings.ToUpper(t.text) {
		case "TRUE", "FALSE":
			return &Node{Kind: NodeBool, Pos: t.pos, Text: strings.ToUpper(t.text)}, nil
		case "NULL":
			return &Node{Kind: NodeNull, Pos: t.pos, Text: "NULL"}, nil
		}
		return &Node{Kind: NodeField, Pos: t.pos, Text: t.text}, nil
	case tokEOF:
		return nil, errorf(t.pos, "Syntax error. Missing expression at the end of the formula")
	default:
		return nil, errorf(t.pos, "Syntax error. Found '%s'", t.text)
	}
}

func (p *parser) call(name token) (*Node, error) {
	p.next() // (
	n := &Node{Kind: NodeCall, Pos: name.pos, Text: strings.ToUpper(name.text)}
	if p.peek().kind == tokRParen {
		p.next()
		return n, nil
	}
	for {
		arg, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		n.Args = append(n.Args, arg)
		switch t := p.next(); t.kind {
		case tokComma:
		case tokRParen:
			return n, nil
		case tokEOF:
			return nil, errorf(t.pos, "Syntax error. Missing ')'")
		default:
			return nil, errorf(t.pos, "Syntax error. Found '%s'", t.text)
		}
	}
}
