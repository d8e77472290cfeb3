package sheet

import (
	"strconv"
	"strings"
)

// maxIdentLen keeps identifiers under PostgreSQL's 63-byte limit, with room
// for a de-duplicating suffix and the "_unsynced" of an index name.
const maxIdentLen = 40

// folds maps common accented Latin letters to ASCII, so "Numéro de téléphone"
// becomes numero_de_telephone rather than num_ro_de_t_l_phone.
var folds = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'æ': "ae",
	'ç': "c", 'è': "e", 'é': "e", 'ê': "e", 'ë': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ñ': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'œ': "oe",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ý': "y", 'ÿ': "y", 'ß': "ss",
}

// slug turns a user-facing name into lowercase ASCII letters, digits and
// single underscores, with no underscore at either end; possibly "".
func slug(name string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(name) {
		var s string
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			s = string(r)
		case folds[r] != "":
			s = folds[r]
		default:
			under = b.Len() > 0
			continue
		}
		if under {
			b.WriteByte('_')
			under = false
		}
		b.WriteString(s)
	}
	return b.String()
}

// ident returns an SQL identifier for a name: prefix (which starts with a
// letter and ends with '_') or "" plus the slug of name, cut to maxIdentLen,
// never starting with a digit or '_' (names starting with '_' belong to the
// system), and not in taken — a suffix _2, _3 ... makes it unique.
func ident(prefix, name string, taken func(string) bool) string {
	base := slug(name)
	if prefix == "" && (base == "" || base[0] >= '0' && base[0] <= '9') {
		prefix = "c_"
	}
	base = prefix + base
	base = strings.TrimRight(base[:min(len(base), maxIdentLen)], "_")
	id := base
	for n := 2; taken(id); n++ {
		id = base + "_" + strconv.Itoa(n)
	}
	return id
}
