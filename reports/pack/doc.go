// Package pack writes and verifies audit packs: one zip with the raw
// evidence, the results, every report, the control definitions used, the
// tool version and every input of the evaluation (the configuration
// rebuilt from its known fields, waivers, company data, subprocessor
// register, manual evidence records, extra control directories), plus a
// manifest of SHA-256 hashes and a detached signature over the manifest.
// An extracted pack re-evaluates alone to the same results.
//
// The signature is CMS (PKCS #7) with an X.509 identity, so stock tools
// check it:
//
//	openssl cms -verify -binary -inform PEM -in manifest.sig -content manifest.json -CAfile ca.pem -purpose any
//
// or, for teams without a PKI, an Ed25519 signature with the public key
// beside it. Verify checks the signature and every hash, and rejects
// changed, added or missing files and unsafe entry names (zip-slip). A
// signature proves who signed only against an anchor the verifier holds,
// so Verify fails without a CA or Ed25519 key unless told to skip it.
package pack

// File names at the root of a pack.
const (
	ManifestFile   = "manifest.json"
	CMSFile        = "manifest.sig"
	Ed25519SigFile = "manifest.sig.ed25519"
	Ed25519PubFile = "manifest.pub"
)

// Format names the manifest format.
const Format = "attest.pack/v1"
