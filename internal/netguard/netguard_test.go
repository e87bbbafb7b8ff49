package netguard

import (
	"net/netip"
	"strings"
	"testing"
)

func TestCheckURL(t *testing.T) {
	t.Parallel()
	site := Policy{AllowedHosts: []string{"Example.com", "cdn.example.com:8443", "[2001:db8::1]"}}
	anyHost := Policy{}
	tests := []struct {
		name    string
		policy  Policy
		raw     string
		wantErr string // substring of the error; "" means allowed
	}{
		{"allowed host", site, "https://example.com/a.jpg", ""},
		{"host case-insensitive", site, "HTTPS://EXAMPLE.COM/a.jpg", ""},
		{"trailing root dot", site, "https://example.com./a.jpg", ""},
		{"any port when entry has none", site, "http://example.com:8080/a.jpg", ""},
		{"entry port matches", site, "https://cdn.example.com:8443/a.jpg", ""},
		{"entry port mismatch", site, "https://cdn.example.com/a.jpg", "allowed hosts"},
		{"other host", site, "https://evil.example.net/a.jpg", "allowed hosts"},
		{"suffix is not a match", site, "https://notexample.com/a.jpg", "allowed hosts"},
		{"subdomain is not a match", site, "https://a.example.com/a.jpg", "allowed hosts"},
		{"ipv6 entry", site, "https://[2001:db8::1]/a.jpg", ""},
		{"empty list allows any", anyHost, "https://s3.amazonaws.com/x.png?sig=1", ""},
		{"ftp refused", anyHost, "ftp://example.com/a.jpg", "http:// or https://"},
		{"file refused", anyHost, "file:///etc/passwd", "http:// or https://"},
		{"no scheme", anyHost, "example.com/a.jpg", "http:// or https://"},
		{"userinfo refused", anyHost, "https://user:pw@example.com/a.jpg", "user name or password"},
		{"user only refused", anyHost, "https://user@example.com/a.jpg", "user name or password"},
		{"no host", anyHost, "https:///a.jpg", "no host"},
		{"bad port", anyHost, "https://example.com:99999/", "port"},
		{"unparsable", anyHost, "https://exa mple.com/%zz", "not a valid URL"},
		{"loopback literal", anyHost, "http://127.0.0.1/", "loopback"},
		{"private literal", anyHost, "http://10.1.2.3/", "private"},
		{"metadata literal", anyHost, "http://169.254.169.254/latest/meta-data", "link-local"},
		{"mapped loopback literal", anyHost, "http://[::ffff:127.0.0.1]/", "loopback"},
		{"ipv6 loopback literal", anyHost, "http://[::1]:8080/", "loopback"},
		{"public literal", anyHost, "http://93.184.215.14/", ""},
		{"private literal allowed", Policy{AllowPrivate: true}, "http://127.0.0.1:8080/", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := tt.policy.CheckURL(tt.raw)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckURL(%q) = %v, want allowed", tt.raw, err)
				}
				if u == nil {
					t.Fatalf("CheckURL(%q) returned a nil URL", tt.raw)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckURL(%q) allowed, want error containing %q", tt.raw, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) || !IsBlocked(err) {
				t.Fatalf("CheckURL(%q) = %v, want a refusal containing %q", tt.raw, err, tt.wantErr)
			}
		})
	}
}

func TestNonPublic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr   string
		public bool
	}{
		{"8.8.8.8", true},
		{"93.184.215.14", true},
		{"2606:4700::1111", true},
		{"64:ff9b::808:808", true}, // NAT64 form of 8.8.8.8
		{"127.0.0.1", false},
		{"127.255.0.1", false},
		{"::1", false},
		{"10.0.0.1", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"192.168.1.1", false},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"169.254.169.254", false},
		{"fe80::1", false},
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"::", false},
		{"224.0.0.1", false},
		{"ff02::1", false},
		{"100.64.0.1", false},
		{"100.127.255.255", false},
		{"255.255.255.255", false},
		{"::ffff:10.0.0.1", false},
		{"::ffff:169.254.169.254", false},
		{"64:ff9b::7f00:1", false}, // NAT64 form of 127.0.0.1
		{"fec0::1", false},
	}
	for _, tt := range tests {
		got := nonPublic(netip.MustParseAddr(tt.addr)) == ""
		if got != tt.public {
			t.Errorf("%s: public = %v, want %v", tt.addr, got, tt.public)
		}
	}
}
