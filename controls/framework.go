package controls

// A Framework is a catalog of requirement ids with short titles. The titles
// are attest's own paraphrases: the standards' texts are copyrighted.
type Framework struct {
	ID           string                 `yaml:"id" json:"id"`
	Name         string                 `yaml:"name" json:"name"`
	Version      string                 `yaml:"version" json:"version"`
	Requirements []FrameworkRequirement `yaml:"requirements" json:"requirements"`
}

// A FrameworkRequirement is one requirement of a framework, such as SOC 2
// CC6.1 or ISO/IEC 27001:2022 A.8.24.
type FrameworkRequirement struct {
	ID    string `yaml:"id" json:"id"`
	Group string `yaml:"group" json:"group"`
	Title string `yaml:"title" json:"title"`
}

// Has reports whether the framework has a requirement with the given id.
func (f *Framework) Has(id string) bool {
	for _, r := range f.Requirements {
		if r.ID == id {
			return true
		}
	}
	return false
}

// FrameworkIDs are the frameworks controls map to, in report order.
var FrameworkIDs = []string{"soc2", "iso27001", "gdpr"}

// ControlsFor returns the controls mapped to requirement id of framework fw,
// in library order. For gdpr, a control's TOM category counts as a mapping
// to TOM.<category>.
func (l *Library) ControlsFor(fw, id string) []*Control {
	var out []*Control
	for _, c := range l.Controls {
		if mapsTo(c, fw, id) {
			out = append(out, c)
		}
	}
	return out
}

func mapsTo(c *Control, fw, id string) bool {
	for _, m := range c.Mappings.For(fw) {
		if m == id {
			return true
		}
	}
	return fw == "gdpr" && c.TOM.Category != "" && id == "TOM."+c.TOM.Category
}
