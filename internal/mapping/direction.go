package mapping

import "fmt"

// Direction is the way data flows between Salesforce and a sheet: for a
// whole workflow, or for one field of it.
type Direction uint8

const (
	// Inbound is from Salesforce to the sheet.
	Inbound Direction = 1 << iota
	// Outbound is from the sheet to Salesforce.
	Outbound
	// Both is both ways.
	Both = Inbound | Outbound
)

// String returns the word used in workflow files: inbound, outbound, both.
func (d Direction) String() string {
	switch d {
	case Inbound:
		return "inbound"
	case Outbound:
		return "outbound"
	case Both:
		return "both"
	}
	return fmt.Sprintf("Direction(%d)", uint8(d))
}

// Has reports whether d includes every direction of other.
func (d Direction) Has(other Direction) bool { return d&other == other && other != 0 }

// ParseDirection reads inbound, outbound or both.
func ParseDirection(s string) (Direction, error) {
	switch s {
	case "inbound":
		return Inbound, nil
	case "outbound":
		return Outbound, nil
	case "both":
		return Both, nil
	}
	return 0, fmt.Errorf("direction %q: want inbound, outbound or both", s)
}

// MarshalText writes the direction as its word, so it reads the same in JSON.
func (d Direction) MarshalText() ([]byte, error) {
	if d == 0 || d > Both {
		return nil, fmt.Errorf("marshalling %v: not a direction", d)
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads inbound, outbound or both.
func (d *Direction) UnmarshalText(b []byte) error {
	v, err := ParseDirection(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
