package auth

// User is what the OAuth server needs to know about an org user.
type User struct {
	ID        string // 18-character User ID (005...)
	Username  string
	FirstName string
	LastName  string
	Email     string
	Active    bool
	Profile   string // profile name, e.g. "System Administrator"
	// Locale and Language are Salesforce locale keys such as "en_US";
	// TimeZone is an IANA zone such as "America/Los_Angeles". Empty values
	// default to en_US and GMT in identity responses.
	Locale   string
	Language string
	TimeZone string
}

// DisplayName is the user's full name as Salesforce displays it.
func (u User) DisplayName() string {
	switch {
	case u.FirstName == "":
		return u.LastName
	case u.LastName == "":
		return u.FirstName
	}
	return u.FirstName + " " + u.LastName
}

// Directory is the org's user list as the OAuth server sees it. The
// emulator adapts the org package to it, so auth does not depend on how the
// org stores users or hashes passwords.
type Directory interface {
	// Authenticate returns the user whose username and password match, and
	// false when either does not. It does not check User.Active.
	Authenticate(username, password string) (User, bool)
	// UserByID returns the user with the given 15- or 18-character ID.
	UserByID(id string) (User, bool)
	// UserByUsername returns the user with the given username (case-insensitive).
	UserByUsername(username string) (User, bool)
}
