package salesforce

import (
	"strings"
	"testing"
)

func TestCheckBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url     string
		wantErr string // substring; "" for valid
	}{
		{ProductionLoginURL, ""},
		{SandboxLoginURL, ""},
		{"https://acme.my.salesforce.com", ""},
		{"https://acme--uat.sandbox.my.salesforce.com", ""},
		{"http://127.0.0.1:8443", ""},
		{"http://localhost:8080", ""},
		{"http://[::1]:9000", ""},
		{"http://login.salesforce.com", "uses http"},
		{"http://10.0.0.1", "uses http"},
		{"ftp://login.salesforce.com", "scheme must be https"},
		{"login.salesforce.com", "no host"},
		{"https://login.salesforce.com/services/oauth2", "path or query"},
		{"https://login.salesforce.com?x=1", "path or query"},
		{"https://%zz", "not a URL"},
	}
	for _, tt := range tests {
		err := checkBaseURL(tt.url)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("checkBaseURL(%q) = %v, want nil", tt.url, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("checkBaseURL(%q) = %v, want error containing %q", tt.url, err, tt.wantErr)
		}
	}
}

func TestMyDomainLoginURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "acme", want: "https://acme.my.salesforce.com"},
		{in: "Acme-Corp", want: "https://acme-corp.my.salesforce.com"},
		{in: "acme--uat.sandbox", want: "https://acme--uat.sandbox.my.salesforce.com"},
		{in: "acme.my.salesforce.com", want: "https://acme.my.salesforce.com"},
		{in: "acme--uat.sandbox.my.salesforce.com", want: "https://acme--uat.sandbox.my.salesforce.com"},
		{in: "", wantErr: true},
		{in: "acme/evil", wantErr: true},
		{in: "https://acme.my.salesforce.com", wantErr: true},
		{in: "-acme", wantErr: true},
		{in: "acme.example.com", wantErr: true},
	}
	for _, tt := range tests {
		got, err := MyDomainLoginURL(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("MyDomainLoginURL(%q) = %q, %v; want %q, error %t", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestJWTAudience(t *testing.T) {
	t.Parallel()
	tests := []struct{ login, want string }{
		{ProductionLoginURL, ProductionLoginURL},
		{SandboxLoginURL, SandboxLoginURL},
		{"https://acme.my.salesforce.com", ProductionLoginURL},
		{"https://ACME--uat.sandbox.my.salesforce.com", SandboxLoginURL},
		{"https://acme.my.site.com", "https://acme.my.site.com"}, // Experience Cloud site
		{"http://127.0.0.1:8443", "http://127.0.0.1:8443"},       // emulator
	}
	for _, tt := range tests {
		if got := jwtAudience(tt.login); got != tt.want {
			t.Errorf("jwtAudience(%q) = %q, want %q", tt.login, got, tt.want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     Config
		wantErr []string
	}{
		{"minimal", Config{ClientID: "x"}, nil},
		{"trailing slash", Config{ClientID: "x", LoginURL: "https://acme.my.salesforce.com/"}, nil},
		{"no client", Config{}, []string{"client ID is empty"}},
		{"bad version", Config{ClientID: "x", APIVersion: "v62.0"}, []string{`API version "v62.0"`}},
		{"everything wrong", Config{LoginURL: "http://example.com", APIVersion: "62", Retry: RetryPolicy{MaxAttempts: -2}},
			[]string{"login URL", "client ID", "API version", "max attempts"}},
	}
	for _, tt := range tests {
		err := tt.cfg.withDefaults().validate()
		if len(tt.wantErr) == 0 {
			if err != nil {
				t.Errorf("%s: validate() = %v", tt.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: validate() = nil, want errors %q", tt.name, tt.wantErr)
			continue
		}
		for _, w := range tt.wantErr {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: validate() = %q, missing %q", tt.name, err, w)
			}
		}
	}
}

func TestCheckName(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"Account", "Ext_Id__c", "ns__Obj__c", "A1"} {
		if err := checkName("object", ok); err != nil {
			t.Errorf("checkName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "../limits", "Account/001", "1Account", "Acc ount", "_x"} {
		if err := checkName("object", bad); err == nil {
			t.Errorf("checkName(%q) = nil, want an error", bad)
		}
	}
}
