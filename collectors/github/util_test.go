package github

import (
	"strconv"
	"strings"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
)

func lower(s string) string { return strings.ToLower(s) }

func kindOf(err error) evidence.FailureKind { return apitest.KindOf(err) }

func itoa(n int) string { return strconv.Itoa(n) }
