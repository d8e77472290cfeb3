package query

import (
	"strconv"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// format renders a value as FORMAT() does, for the en_US locale (the only
// one the emulator formats for): grouped digits with the field's scale,
// currencies with a dollar sign, percentages with a percent sign, dates as
// 1/31/2024 and datetimes as 1/31/2024, 3:04 PM in the user's time zone.
func (c *compiler) format(f *schema.Field, v any) string {
	switch x := v.(type) {
	case float64:
		s := groupDigits(strconv.FormatFloat(x, 'f', f.Scale, 64))
		switch f.Type {
		case schema.TypeCurrency:
			if neg, ok := strings.CutPrefix(s, "-"); ok {
				return "-$" + neg
			}
			return "$" + s
		case schema.TypePercent:
			return s + "%"
		}
		return s
	case int64:
		return groupDigits(strconv.FormatInt(x, 10))
	case time.Time:
		if f.Type == schema.TypeDate {
			return x.UTC().Format("1/2/2006")
		}
		return x.In(c.loc).Format("1/2/2006, 3:04 PM")
	}
	return schema.FormatValue(f.Type, v)
}

// groupDigits puts thousands separators in a number: -1234567.5 gives
// -1,234,567.5.
func groupDigits(s string) string {
	sign := ""
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		sign, s = "-", rest
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, d := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}
