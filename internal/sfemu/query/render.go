package query

import (
	"strconv"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// appendAttributes opens a record: {"attributes":{"type":...,"url":...}.
func (c *compiler) appendAttributes(dst []byte, object, id string) []byte {
	dst = append(dst, `{"attributes":{"type":"`...)
	dst = append(dst, object...)
	dst = append(dst, `","url":"/services/data/v`...)
	dst = append(dst, c.opt.APIVersion...)
	dst = append(dst, "/sobjects/"...)
	dst = append(dst, object...)
	dst = append(dst, '/')
	dst = append(dst, id...)
	return append(dst, `"}`...)
}

// appendRecord renders record r through projection p, members in select
// order, as the REST API does.
func (c *compiler) appendRecord(dst []byte, p *projection, r schema.Record) []byte {
	o := p.obj
	id, _ := o.Value(r, p.idField).(string)
	dst = c.appendAttributes(dst, o.Name, id)
	for _, it := range p.items {
		dst = append(dst, ',', '"')
		dst = append(dst, it.key...)
		dst = append(dst, '"', ':')
		switch {
		case it.sub != nil:
			dst = c.appendChildren(dst, it.sub, id)
		case it.hop != nil:
			dst = c.appendParent(dst, it, o, r)
		case it.show == showObjType:
			dst = schema.AppendJSON(dst, schema.TypeString, o.Name)
		default:
			dst = c.appendValue(dst, it, o.Value(r, it.field))
		}
	}
	return append(dst, '}')
}

func (c *compiler) appendValue(dst []byte, it *projItem, v any) []byte {
	switch it.show {
	case showLabel:
		return schema.AppendJSON(dst, schema.TypeString, label(it.field, v))
	case showFormat:
		if v == nil {
			return append(dst, "null"...)
		}
		return schema.AppendJSON(dst, schema.TypeString, c.format(it.field, v))
	}
	return schema.AppendJSON(dst, it.field.Type, v)
}

// appendParent renders a parent relationship: the parent record, or null
// when the lookup is empty or the parent is not visible.
func (c *compiler) appendParent(dst []byte, it *projItem, o *schema.Object, r schema.Record) []byte {
	pid, _ := o.Value(r, it.hop).(string)
	if pid == "" {
		return append(dst, "null"...)
	}
	parent, po := c.parent(pid)
	if parent == nil {
		return append(dst, "null"...)
	}
	np := it.nested[po]
	if np == nil {
		np = newProjection(po)
	}
	return c.appendRecord(dst, np, parent)
}

// appendChildren renders a child relationship: null when the parent has no
// matching children, else {"totalSize":n,"done":true,"records":[...]}.
func (c *compiler) appendChildren(dst []byte, p *plan, parentID string) []byte {
	rows := c.children(p, parentID)
	if len(rows) == 0 {
		return append(dst, "null"...)
	}
	dst = append(dst, `{"totalSize":`...)
	dst = strconv.AppendInt(dst, int64(len(rows)), 10)
	dst = append(dst, `,"done":true,"records":[`...)
	for i, r := range rows {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = c.appendRecord(dst, p.proj, r)
	}
	return append(dst, "]}"...)
}
