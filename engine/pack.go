package engine

import (
	"errors"

	"github.com/attestdev/attest/reports/pack"
	"github.com/attestdev/attest/reports/signing"
)

// SignerFiles name the key an audit pack is signed with: an X.509
// identity (Key as PEM with Cert, or Key as PKCS#12 with Password) or an
// Ed25519 key.
type SignerFiles struct {
	Key, Cert, Password string
	Ed25519Key          string
}

// PackSigner returns the signer of an audit pack. A pack is always
// signed: exactly one of Key and Ed25519Key must be given.
func PackSigner(f SignerFiles) (pack.Signer, error) {
	switch {
	case f.Key != "" && f.Ed25519Key != "":
		return nil, errors.New("--key and --ed25519-key: choose one")
	case f.Ed25519Key != "":
		k, err := pack.LoadEd25519Key(f.Ed25519Key)
		if err != nil {
			return nil, err
		}
		return pack.Ed25519Signer{Key: k}, nil
	case f.Key != "":
		id, err := signing.Load(f.Key, f.Cert, f.Password)
		if err != nil {
			return nil, err
		}
		return pack.CMSSigner{Identity: id}, nil
	}
	return nil, errors.New("an audit pack is signed: pass --key (and --cert) or --ed25519-key")
}
