package reports

import (
	"io"

	"github.com/attestdev/attest/controls"
)

// JSON writes res as indented JSON, byte for byte the content of
// results.json, streamed one control at a time.
func JSON(w io.Writer, res *controls.Results) error {
	return res.Encode(w)
}
