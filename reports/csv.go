package reports

import (
	"encoding/csv"
	"io"
	"strings"

	"github.com/attestdev/attest/controls"
)

// csvHeader names the CSV columns.
var csvHeader = []string{
	"control", "title", "severity", "control_outcome", "requirement",
	"resource", "name", "account", "region", "outcome", "message", "records",
	"soc2", "iso27001", "gdpr", "scope",
}

// CSV writes one row per finding (see findingRows). Cells that a
// spreadsheet would run as a formula are neutralised.
func CSV(w io.Writer, res *controls.Results) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	row := make([]string, len(csvHeader))
	err := findingRows(res, func(r findingRow) error {
		c, f := r.Control, r.Finding
		row = append(row[:0],
			c.ID, c.Title, string(c.Severity), string(c.Outcome), r.Requirement,
			f.Resource, f.Name, f.Account, f.Region, string(f.Outcome), f.Message, strings.Join(f.Records, " "),
			strings.Join(c.Mappings.SOC2, " "), strings.Join(c.Mappings.ISO27001, " "), strings.Join(c.Mappings.GDPR, " "),
			r.Scope,
		)
		for i := range row {
			row[i] = csvCell(row[i])
		}
		return cw.Write(row)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// csvCell prefixes a cell that starts like a formula (= + - @, tab or
// carriage return) with a single quote, so a spreadsheet shows it as text
// (OWASP CSV injection).
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
