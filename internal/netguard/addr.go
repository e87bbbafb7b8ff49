package netguard

import "net/netip"

// blockedPrefixes are the ranges netip's Is* methods do not cover but which
// still reach something other than the public internet.
var blockedPrefixes = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "a reserved"}, // Linux routes 0.x to the local host.
	{netip.MustParsePrefix("100.64.0.0/10"), "a carrier-grade NAT"},
	{netip.MustParsePrefix("192.0.0.0/24"), "a reserved"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a reserved"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved"}, // Includes 255.255.255.255.
	{netip.MustParsePrefix("fec0::/10"), "a site-local"},
}

// nat64 is the well-known NAT64 prefix: such an address stands for the IPv4
// address in its last 32 bits, so it is judged by that address. Refusing the
// whole prefix would break every fetch on an IPv6-only host behind DNS64.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// nonPublic says what kind of non-public address a is ("a private"), or ""
// when a is an ordinary public unicast address.
func nonPublic(a netip.Addr) string {
	a = a.Unmap() // ::ffff:127.0.0.1 reaches 127.0.0.1.
	if nat64.Contains(a) {
		b := a.As16()
		a = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	}
	switch {
	case !a.IsValid():
		return "an invalid"
	case a.IsUnspecified():
		return "an unspecified"
	case a.IsLoopback():
		return "a loopback"
	case a.IsPrivate():
		return "a private"
	case a.IsLinkLocalUnicast():
		return "a link-local"
	case a.IsMulticast():
		return "a multicast"
	}
	for _, b := range blockedPrefixes {
		if b.prefix.Contains(a) {
			return b.reason
		}
	}
	return ""
}
