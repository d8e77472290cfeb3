package mapping

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Numbers travel as exact decimals: Salesforce currency and double fields
// have up to 18 digits, more than a float64 holds, so a value read as
// "123456789012345.67" must be written back as exactly that. The canonical
// form is the shortest plain decimal: no exponent, no leading "+", no
// leading or trailing zeros ("-0.5", "1200", "3.25").

// maxExponent bounds the exponent accepted in "1e5"-style input, so a
// hostile value cannot make us build a number with millions of digits.
const maxExponent = 400

// parseDecimal reads a decimal number (optionally with an exponent) and
// returns its canonical form.
func parseDecimal(s string) (string, error) {
	if plain, ok := canonicalPlain(s); ok {
		return plain, nil
	}
	r, err := decimalRat(s)
	if err != nil {
		return "", err
	}
	return canonicalDecimal(r), nil
}

// canonicalPlain is the fast path of parseDecimal for the common case, a
// number without exponent ("-0012.50"): the canonical form is the same
// digits without the sign's "+", leading zeros or trailing fraction zeros.
// ok is false for anything else, left to the exact path.
func canonicalPlain(s string) (string, bool) {
	neg := false
	body := s
	if body != "" && (body[0] == '+' || body[0] == '-') {
		neg, body = body[0] == '-', body[1:]
	}
	intPart, frac, hasPoint := strings.Cut(body, ".")
	if intPart == "" && frac == "" {
		return "", false
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if !isDigit(part[i]) {
				return "", false
			}
		}
	}
	intPart = strings.TrimLeft(intPart, "0")
	if hasPoint {
		frac = strings.TrimRight(frac, "0")
	}
	if intPart == "" {
		intPart = "0"
	}
	out := intPart
	if frac != "" {
		out += "." + frac
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return out, true
}

// decimalRat reads a decimal number strictly: digits with an optional
// sign, point and exponent, nothing else (big.Rat alone would also take
// "1/3" and "0x1p4").
func decimalRat(s string) (*big.Rat, error) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return nil, fmt.Errorf("%q is not a number", s)
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		exp, err := strconv.Atoi(s[i+1:])
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", s)
		}
		if exp > maxExponent || exp < -maxExponent {
			return nil, fmt.Errorf("%q: exponent out of range", s)
		}
		i = len(s)
	}
	if i != len(s) {
		return nil, fmt.Errorf("%q is not a number", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, fmt.Errorf("%q is not a number", s)
	}
	return r, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// canonicalDecimal writes r, which must have a finite decimal expansion
// (every decimal input does), in canonical form.
func canonicalDecimal(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	return trimFraction(r.FloatString(decimalPlaces(r.Denom())))
}

// decimalPlaces returns the number of digits after the point needed to
// write 1/d exactly, for d = 2^a * 5^b: max(a, b).
func decimalPlaces(d *big.Int) int {
	d = new(big.Int).Set(d)
	two, five := big.NewInt(2), big.NewInt(5)
	var m big.Int
	a, b := 0, 0
	for d.Cmp(big.NewInt(1)) > 0 {
		if m.Mod(d, two).Sign() == 0 {
			d.Quo(d, two)
			a++
			continue
		}
		if m.Mod(d, five).Sign() == 0 {
			d.Quo(d, five)
			b++
			continue
		}
		break // not a decimal fraction; FloatString rounds
	}
	return max(a, b)
}

// trimFraction removes trailing zeros after the point, and the point if
// nothing is left after it; "-0" becomes "0".
func trimFraction(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		return "0"
	}
	return s
}

// numberFormat says how a number is written as text: how many digits after
// the point (Decimals < 0 means as many as the number has), and which
// separators. numberFormat{Decimals: -1} writes canonical decimals
// ("1234.5").
type numberFormat struct {
	Decimals  int    // digits after the decimal separator, rounded half away from zero; < 0 keeps them all
	Decimal   string // decimal separator; "" means "."
	Thousands string // thousands separator; "" means none
}

func (f numberFormat) decimalSep() string {
	if f.Decimal == "" {
		return "."
	}
	return f.Decimal
}

// format writes the canonical decimal s in format f.
func (f numberFormat) format(s string) string {
	if f.Decimals >= 0 {
		r, err := decimalRat(s)
		if err == nil {
			s = r.FloatString(f.Decimals)
			if strings.Trim(s, "-0.") == "" {
				s = strings.TrimPrefix(s, "-")
			}
		}
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if f.Thousands != "" && len(intPart) > 3 {
		var b strings.Builder
		lead := len(intPart) % 3
		if lead > 0 {
			b.WriteString(intPart[:lead])
		}
		for i := lead; i < len(intPart); i += 3 {
			if b.Len() > 0 {
				b.WriteString(f.Thousands)
			}
			b.WriteString(intPart[i : i+3])
		}
		intPart = b.String()
	}
	out := intPart
	if hasFrac {
		out += f.decimalSep() + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// parse reads text written in format f (surrounding spaces, the thousands
// separator and a leading "+" are accepted) and returns the canonical
// decimal.
func (f numberFormat) parse(s string) (string, error) {
	t := strings.TrimSpace(s)
	if f.Thousands != "" {
		t = strings.ReplaceAll(t, f.Thousands, "")
		if strings.TrimSpace(f.Thousands) == "" {
			// A space separator also stands for the no-break spaces that
			// French-style formatting inserts.
			t = strings.NewReplacer("\u00a0", "", "\u202f", "", " ", "").Replace(t)
		}
	}
	if sep := f.decimalSep(); sep != "." {
		if strings.Contains(t, ".") {
			return "", fmt.Errorf("%q has a \".\" but the decimal separator is %q", s, sep)
		}
		t = strings.Replace(t, sep, ".", 1)
	}
	out, err := parseDecimal(t)
	if err != nil {
		return "", fmt.Errorf("%q is not a number written like %s", s, f.example())
	}
	return out, nil
}

// example shows the format on a sample number, for error messages.
func (f numberFormat) example() string {
	g := f
	if g.Decimals < 0 {
		g.Decimals = 2
	}
	return g.format("-1234567.5")
}
