package store

import "testing"

func TestValidLoginURL(t *testing.T) {
	for raw, want := range map[string]bool{
		"https://login.salesforce.com":   true,
		"https://acme.my.salesforce.com": true,
		"http://127.0.0.1:8383":          true,
		"http://localhost:8383":          true,
		"http://[::1]:8383":              true,
		"http://login.salesforce.com":    false,
		"http://10.0.0.5:8383":           false,
		"ftp://login.salesforce.com":     false,
		"https://":                       false,
		"login.salesforce.com":           false,
	} {
		if got := validLoginURL(raw); got != want {
			t.Errorf("validLoginURL(%q) = %v, want %v", raw, got, want)
		}
	}
}
