package reports

import (
	"crypto/sha1"
	"fmt"
)

// uuidNamespace is the UUIDv5 namespace of attest's report identifiers,
// itself the UUIDv5 of "attest.dev" in the DNS namespace.
var uuidNamespace = [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// stableUUID returns the name-based (version 5, RFC 9562) UUID of name in
// attest's namespace, so the same results always give the same ids.
func stableUUID(name string) string {
	h := sha1.New()
	h.Write(uuidNamespace[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
