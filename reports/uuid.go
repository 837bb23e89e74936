package reports

import "github.com/google/uuid"

// uuidNamespace is the UUIDv5 namespace of attest's report identifiers:
// RFC 9562's DNS namespace (6ba7b810-9dad-11d1-80b4-00c04fd430c8), which
// the identifiers have always been made in.
var uuidNamespace = uuid.NameSpaceDNS

// stableUUID returns the name-based (version 5, RFC 9562) UUID of name in
// attest's namespace, so the same results always give the same ids.
func stableUUID(name string) string {
	return uuid.NewSHA1(uuidNamespace, []byte(name)).String()
}
