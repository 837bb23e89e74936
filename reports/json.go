package reports

import (
	"io"

	"github.com/attestdev/attest/controls"
)

// JSON writes res as indented JSON, byte for byte the content of
// results.json.
func JSON(w io.Writer, res *controls.Results) error {
	data, err := res.MarshalIndent()
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}
