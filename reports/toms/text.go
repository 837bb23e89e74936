package toms

import (
	"fmt"
	"strings"
	"time"

	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/internal/yamlfile"
	"github.com/attestdev/attest/templates"
)

// Languages are the languages the documents are written in.
var Languages = []string{"en", "de"}

// Text is the wording of the TOMs document in one language, read from
// templates/toms/toms.<lang>.yaml. Placeholders in braces are filled in by
// fill.
type Text struct {
	Lang       string   `yaml:"lang"`
	Title      string   `yaml:"title"`
	Subtitle   string   `yaml:"subtitle"`
	Months     []string `yaml:"months"`
	DateFormat string   `yaml:"date_format"`
	Cover      struct {
		Version    string `yaml:"version"`
		Date       string `yaml:"date"`
		ValidUntil string `yaml:"valid_until"`
		Address    string `yaml:"address"`
		Contact    string `yaml:"contact"`
		DPO        string `yaml:"dpo"`
		Website    string `yaml:"website"`
		Generated  string `yaml:"generated"`
		Signed     string `yaml:"signed"`
	} `yaml:"cover"`
	Contents string `yaml:"contents"`
	Page     string `yaml:"page"`
	Sections struct {
		About          string `yaml:"about"`
		Art32          string `yaml:"art32"`
		Categories     string `yaml:"categories"`
		Subprocessors  string `yaml:"subprocessors"`
		Certifications string `yaml:"certifications"`
		Revisions      string `yaml:"revisions"`
	} `yaml:"sections"`
	About   []string `yaml:"about"`
	Omitted string   `yaml:"omitted"`
	None    string   `yaml:"none"`
	Table   struct {
		Measure string `yaml:"measure"`
		Status  string `yaml:"status"`
		Control string `yaml:"control"`
	} `yaml:"table"`
	Status struct {
		InPlace  string `yaml:"in_place"`
		Verified string `yaml:"verified"`
		Attested string `yaml:"attested"`
		By       string `yaml:"by"`
		On       string `yaml:"on"`
		Until    string `yaml:"until"`
		Record   string `yaml:"record"`
		Records  string `yaml:"records"`
		// Register names the subprocessor register as the record a
		// measure rests on.
		Register    string `yaml:"register"`
		Between     string `yaml:"between"`
		NotVerified string `yaml:"not_verified"`
		Resources   string `yaml:"resources"`
	} `yaml:"status"`
	// Section describes how much of a group of measures is in place,
	// below its objective.
	Section struct {
		Objective string `yaml:"objective"`
		All       string `yaml:"all"`
		Some      string `yaml:"some"`
		Nothing   string `yaml:"nothing"`
		Verified  string `yaml:"verified"`
		Attested  string `yaml:"attested"`
		And       string `yaml:"and"`
	} `yaml:"section"`
	Art32         map[string]Heading `yaml:"art32"`
	Categories    map[string]Heading `yaml:"categories"`
	Subprocessors struct {
		Intro    string `yaml:"intro"`
		Name     string `yaml:"name"`
		Purpose  string `yaml:"purpose"`
		Location string `yaml:"location"`
		Transfer string `yaml:"transfer"`
		DPA      string `yaml:"dpa"`
		// Certifications heads the column of the vendor's certifications
		// (with expiry); Dates the column of the dates the DPA was signed
		// (labelled DPA) and the vendor last reviewed (labelled Review).
		Certifications string `yaml:"certifications"`
		Dates          string `yaml:"dates"`
		Review         string `yaml:"review"`
		// Expires is how a certification's expiry reads: "{name} (until {date})".
		Expires    string            `yaml:"expires"`
		None       string            `yaml:"none"`
		Locations  map[string]string `yaml:"locations"`
		Mechanisms map[string]string `yaml:"mechanisms"`
	} `yaml:"subprocessors"`
	Certifications struct {
		Intro      string `yaml:"intro"`
		Name       string `yaml:"name"`
		Issuer     string `yaml:"issuer"`
		ValidUntil string `yaml:"valid_until"`
		None       string `yaml:"none"`
	} `yaml:"certifications"`
	Revisions struct {
		Version   string `yaml:"version"`
		Date      string `yaml:"date"`
		Changes   string `yaml:"changes"`
		Generated string `yaml:"generated"`
	} `yaml:"revisions"`
}

// A Heading is the title and objective of a group of measures. The
// objective names what the group's measures aim at, as a phrase that
// claims nothing: whether the measures are in place is said per measure
// and summed up by Document.SectionSummary.
type Heading struct {
	Title     string `yaml:"title"`
	Objective string `yaml:"objective"`
}

// LoadText reads the TOMs wording for lang ("en" or "de").
func LoadText(lang string) (*Text, error) {
	t := &Text{}
	if err := loadTemplate("toms/toms."+lang+".yaml", lang, t); err != nil {
		return nil, err
	}
	if len(t.Months) != 12 {
		return nil, fmt.Errorf("toms: templates/toms/toms.%s.yaml: months: want 12 names, got %d", lang, len(t.Months))
	}
	for _, id := range art32IDs {
		if t.Art32[id].Title == "" {
			return nil, fmt.Errorf("toms: templates/toms/toms.%s.yaml: art32: %s has no title", lang, id)
		}
	}
	for _, c := range controls.TOMCategories {
		if t.Categories[c].Title == "" {
			return nil, fmt.Errorf("toms: templates/toms/toms.%s.yaml: categories: %s has no title", lang, c)
		}
	}
	return t, nil
}

// loadTemplate decodes templates/<name> strictly into v.
func loadTemplate(name, lang string, v any) error {
	if !validLang(lang) {
		return fmt.Errorf("toms: unknown language %q: want %s", lang, strings.Join(Languages, " or "))
	}
	data, err := templates.FS.ReadFile(name)
	if err != nil {
		return fmt.Errorf("toms: %w", err)
	}
	if _, err := yamlfile.Decode("templates/"+name, data, v); err != nil {
		return fmt.Errorf("toms: %w", err)
	}
	return nil
}

func validLang(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Date formats t as a long date in the text's language.
func (t *Text) Date(d time.Time) string {
	return fill(t.DateFormat, "day", fmt.Sprint(d.Day()), "month", t.Months[d.Month()-1], "year", fmt.Sprint(d.Year()))
}

// fill replaces {key} placeholders in s with values, given as key, value
// pairs.
func fill(s string, kv ...string) string {
	pairs := make([]string, 0, len(kv))
	for i := 0; i+1 < len(kv); i += 2 {
		pairs = append(pairs, "{"+kv[i]+"}", kv[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}
