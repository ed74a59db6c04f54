package httpapi

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientIP(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	tests := []struct {
		name    string
		remote  string
		xff     []string
		trusted []netip.Prefix
		want    string
	}{
		{"no proxies: the peer", "203.0.113.7:5000", nil, nil, "203.0.113.7"},
		{"no proxies: a forged header is ignored", "203.0.113.7:5000", []string{"1.1.1.1"}, nil, "203.0.113.7"},
		{"untrusted peer: header ignored", "198.51.100.2:5000", []string{"1.1.1.1"}, proxies, "198.51.100.2"},
		{"trusted proxy: the address it appended", "10.0.0.5:80", []string{"203.0.113.7"}, proxies, "203.0.113.7"},
		{"forged entries left of the real one are skipped", "10.0.0.5:80", []string{"6.6.6.6, 7.7.7.7, 203.0.113.7"}, proxies, "203.0.113.7"},
		{"chain of trusted proxies", "10.0.0.5:80", []string{"203.0.113.7, 10.1.1.1, 10.2.2.2"}, proxies, "203.0.113.7"},
		{"forged trusted-looking entry cannot hide the client", "10.0.0.5:80", []string{"10.9.9.9, 203.0.113.7"}, proxies, "203.0.113.7"},
		{"several header lines are one list", "10.0.0.5:80", []string{"6.6.6.6", "203.0.113.7, 10.1.1.1"}, proxies, "203.0.113.7"},
		{"trusted proxy without header: the proxy", "10.0.0.5:80", nil, proxies, "10.0.0.5"},
		{"only trusted hops: the leftmost", "10.0.0.5:80", []string{"10.3.3.3, 10.1.1.1"}, proxies, "10.3.3.3"},
		{"garbage: the proxy that passed it on", "10.0.0.5:80", []string{"not-an-ip, 10.1.1.1"}, proxies, "10.1.1.1"},
		{"garbage left of the client is never reached", "10.0.0.5:80", []string{"<script>, 203.0.113.7"}, proxies, "203.0.113.7"},
		{"empty entries skipped", "10.0.0.5:80", []string{" , 203.0.113.7 ,"}, proxies, "203.0.113.7"},
		{"entries with ports and brackets", "10.0.0.5:80", []string{"[2001:db8::1]:4711"}, proxies, "2001:db8::1"},
		{"IPv4-mapped peer is unmapped", "[::ffff:203.0.113.7]:5000", nil, nil, "203.0.113.7"},
		{"IPv6 proxy", "[fd00::1]:80", []string{"2001:db8::9"}, proxies, "2001:db8::9"},
		{"IPv4-mapped forwarded address matches IPv4 proxies", "10.0.0.5:80", []string{"203.0.113.7, ::ffff:10.1.1.1"}, proxies, "203.0.113.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := clientIP(r, tt.trusted); got.String() != tt.want {
				t.Errorf("clientIP = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestClientIPBoundsTheWalk(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "10.0.0.5:80"
	for range 100 {
		r.Header.Add("X-Forwarded-For", "10.1.1.1")
	}
	r.Header.Add("X-Forwarded-For", "203.0.113.7") // the real client, one hop away
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	if got := clientIP(r, trusted); got.String() != "203.0.113.7" {
		t.Errorf("clientIP = %s", got)
	}
	r.Header.Del("X-Forwarded-For")
	for range 100 {
		r.Header.Add("X-Forwarded-For", "10.1.1.1")
	}
	if got := clientIP(r, trusted); got.String() != "10.1.1.1" {
		t.Errorf("with only trusted hops past the bound: %s", got)
	}
}

func TestClientKey(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7":            "203.0.113.7",
		"2001:db8:1:2:3:4:5:6":   "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::abc": "2001:db8:1:2::/64",
	} {
		if got := clientKey(netip.MustParseAddr(in)); got != want {
			t.Errorf("clientKey(%s) = %s, want %s", in, got, want)
		}
	}
	if got := clientKey(netip.Addr{}); got != "unknown" {
		t.Errorf("clientKey(invalid) = %s", got)
	}
}
