package pack

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Redacted replaces secret values in the configuration copy.
const Redacted = "[redacted]"

// StripSecrets returns the YAML document with the value of every mapping
// key that names a secret replaced by Redacted, keeping comments and order.
// A key names a secret when it contains token, secret, password, passwd,
// credential or key, in any case: it errs on the side of removing too much.
func StripSecrets(data []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("pack: config: %w", err)
	}
	if doc.Kind == 0 {
		return data, nil
	}
	redact(&doc)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("pack: config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("pack: config: %w", err)
	}
	return buf.Bytes(), nil
}

func redact(n *yaml.Node) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if secretKey(n.Content[i].Value) {
				v := n.Content[i+1]
				*v = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: Redacted, LineComment: v.LineComment}
			}
		}
	}
	for _, c := range n.Content {
		redact(c)
	}
}

func secretKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range []string{"token", "secret", "password", "passwd", "credential", "key"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}
