package github

import (
	"strconv"
	"strings"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

func lower(s string) string { return strings.ToLower(s) }

func kindOf(err error) evidence.FailureKind {
	if err == nil {
		return ""
	}
	return collectors.Classify(err)
}

func itoa(n int) string { return strconv.Itoa(n) }
