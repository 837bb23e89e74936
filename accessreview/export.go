package accessreview

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Columns are the columns of a review file, in order. Reviewers fill in
// decision (keep or revoke), reviewer, reviewed_at and comment.
var Columns = []string{"person", "system", "account_id", "user", "email", "admin", "mfa", "active", "last_login", "decision", "reviewer", "reviewed_at", "comment"}

// WriteCSV writes the population as a review file. Cells that a
// spreadsheet would run as a formula are prefixed with a single quote.
func WriteCSV(w io.Writer, p *Population) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return fmt.Errorf("accessreview: write CSV: %w", err)
	}
	for _, a := range p.Accounts {
		row := []string{a.Person, a.System, a.AccountID, a.User, a.Email,
			strconv.FormatBool(a.Admin), strconv.FormatBool(a.MFA), strconv.FormatBool(a.Active), a.LastLogin, "", "", "", ""}
		for i := range row {
			row[i] = SafeCell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("accessreview: write CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("accessreview: write CSV: %w", err)
	}
	return nil
}

// SafeCell neutralises a cell that spreadsheet programs would evaluate as a
// formula (OWASP "CSV injection"): one starting with =, +, -, @, a tab or a
// carriage return gets a leading single quote. unsafeCell undoes it.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func unsafeCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}

// WriteMarkdown writes the population for reviewers to read: one section
// per person with their accounts, admin rights first.
func WriteMarkdown(w io.Writer, p *Population, source string, at time.Time) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Access review population\n\nBuilt from %s, collected %s: %d accounts of %d people.\n\n",
		mdText(source), at.UTC().Format(time.RFC3339), len(p.Accounts), p.People())
	if len(p.Incomplete) > 0 {
		b.WriteString("**Warning: the population may be incomplete**, these identity collections did not complete:\n\n")
		for _, s := range p.Incomplete {
			fmt.Fprintf(&b, "- %s\n", mdText(s))
		}
		b.WriteString("\n")
	}
	b.WriteString("Mark every account keep or revoke in the `decision` column of the CSV file, with your name and the date.\n")
	for i, a := range p.Accounts {
		if i == 0 || a.Person != p.Accounts[i-1].Person {
			fmt.Fprintf(&b, "\n## %s\n\n| System | Account | User | Admin | MFA | Active | Last login |\n|---|---|---|---|---|---|---|\n", mdText(a.Person))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", mdText(a.System), mdText(a.AccountID), mdText(a.User),
			yes(a.Admin), yes(a.MFA), yes(a.Active), mdText(a.LastLogin))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func yes(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

// mdText escapes text for a Markdown table cell: no line breaks, no pipes,
// no HTML, no links.
func mdText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	r := strings.NewReplacer(`\`, `\\`, "|", `\|`, "<", "&lt;", ">", "&gt;", "[", `\[`, "]", `\]`, "`", "\\`", "*", `\*`, "_", `\_`)
	return r.Replace(s)
}
