package schema

import "strings"

// derivations compute standard fields that Salesforce derives from other
// fields of the same record. Values Salesforce derives from other records or
// from the time of a change (Case.ClosedDate, Opportunity.IsWon ...) are kept
// by the record store instead.
var derivations = map[string]func(o *Object) Compute{
	"Opportunity.ExpectedRevenue": func(o *Object) Compute {
		amount, prob := o.Field("Amount"), o.Field("Probability")
		return func(r Record) any {
			a, ok1 := r.Get(amount).(float64)
			p, ok2 := r.Get(prob).(float64)
			if !ok1 || !ok2 {
				return nil
			}
			return a * p / 100
		}
	},
	"Task.IsClosed":       equals("Status", "Completed"),
	"Task.IsHighPriority": equals("Priority", "High"),
}

// equals derives a checkbox that is true when field has the given value.
func equals(field, value string) func(o *Object) Compute {
	return func(o *Object) Compute {
		f := o.Field(field)
		return func(r Record) any { return r.Get(f) == value }
	}
}

// bindComputes attaches the computation of every derived field of o.
func bindComputes(o *Object) {
	for _, f := range o.Fields {
		if d, ok := derivations[o.Name+"."+f.Name]; ok {
			f.compute = d(o)
			continue
		}
		if len(f.Components) == 0 || f.CompoundFieldName == f.Name {
			continue
		}
		switch f.Type {
		case TypeAddress:
			f.compute = addressOf(f)
		case TypeLocation:
			f.compute = locationOf(f)
		case TypeString:
			if component(f, "LastName") != nil {
				f.compute = personName(f)
			}
		}
	}
}

// component returns the component of compound c whose name ends in part
// (BillingCity for part "City" of BillingAddress), or nil.
func component(c *Field, part string) *Field {
	for _, f := range c.Components {
		if strings.HasSuffix(strings.TrimSuffix(f.Name, "__s"), part) {
			return f
		}
	}
	return nil
}

func addressOf(c *Field) Compute {
	parts := [...]*Field{component(c, "City"), component(c, "Country"), component(c, "GeocodeAccuracy"),
		component(c, "Latitude"), component(c, "Longitude"), component(c, "PostalCode"), component(c, "State"),
		component(c, "Street")}
	return func(r Record) any {
		var v [len(parts)]any
		empty := true
		for i, p := range parts {
			if p != nil {
				v[i] = r.Get(p)
				empty = empty && v[i] == nil
			}
		}
		if empty {
			return nil
		}
		return Address{City: v[0], Country: v[1], GeocodeAccuracy: v[2], Latitude: v[3], Longitude: v[4],
			PostalCode: v[5], State: v[6], Street: v[7]}
	}
}

func locationOf(c *Field) Compute {
	lat, lon := component(c, "Latitude"), component(c, "Longitude")
	return func(r Record) any {
		la, lo := r.Get(lat), r.Get(lon)
		if la == nil && lo == nil {
			return nil
		}
		return Location{Latitude: la, Longitude: lo}
	}
}

// personName joins the name parts of Contact, Lead and User the way
// Salesforce shows Name: "FirstName LastName" (the salutation is not part
// of it).
func personName(c *Field) Compute {
	var parts []*Field
	for _, n := range []string{"FirstName", "MiddleName", "LastName", "Suffix"} {
		if f := c.Object.Field(n); f != nil && f.CompoundFieldName == c.Name {
			parts = append(parts, f)
		}
	}
	return func(r Record) any {
		var b strings.Builder
		for _, p := range parts {
			if s, ok := r.Get(p).(string); ok && s != "" {
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(s)
			}
		}
		if b.Len() == 0 {
			return nil
		}
		return b.String()
	}
}
