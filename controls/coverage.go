package controls

import "slices"

// The coverage classes, from strongest to weakest.
const (
	// CoverAutomated: a control rests on evidence collected from an API.
	CoverAutomated = "automated"
	// CoverInherited: a control rests on a provider's certification, as
	// the subprocessor register records it (e.g. the physical security
	// of a cloud provider's data centres).
	CoverInherited = "inherited"
	// CoverManual: a control rests on records people keep: manual
	// evidence records, or the subprocessor register itself.
	CoverManual = "manual"
	// CoverUncovered: no control maps to the requirement.
	CoverUncovered = "uncovered"
)

// InheritedTypes are the resource types whose evidence is a third party's
// certification: a control whose evidence is only of these types covers
// its requirements by inheritance.
var InheritedTypes = []string{"vendor.hosting"}

// RecordTypes are the resource types that carry what people record rather
// than what an API shows: manual evidence records and the subprocessor
// register. A control whose evidence is only of these types is manual.
var RecordTypes = []string{ManualType, "vendor.subprocessor", "vendor.provider"}

// Coverage says, for every requirement of a framework, which controls map
// to it, why, and whether the strongest of them is automated (evidence
// collected from an API), inherited (a provider's certification), manual
// (records people keep), or none.
type Coverage struct {
	Framework string `json:"framework"`
	Name      string `json:"name"`
	Automated int    `json:"automated"`
	Inherited int    `json:"inherited"`
	Manual    int    `json:"manual"`
	Uncovered int    `json:"uncovered"`
	// Filtered says that only the controls whose sources are configured
	// were counted.
	Filtered     bool                  `json:"filtered,omitempty"`
	Requirements []RequirementCoverage `json:"requirements"`
}

// A RequirementCoverage is one requirement's coverage.
type RequirementCoverage struct {
	ID        string   `json:"id"`
	Group     string   `json:"group"`
	Title     string   `json:"title"`
	Status    string   `json:"status"` // automated, inherited, manual or uncovered
	Automated []string `json:"automated_controls"`
	Inherited []string `json:"inherited_controls"`
	Manual    []string `json:"manual_controls"`
	// Mappings are the controls mapped to the requirement, strongest class
	// first, each with the reason the mapping holds.
	Mappings []MappingCoverage `json:"mappings"`
}

// A MappingCoverage is one control's mapping to a requirement.
type MappingCoverage struct {
	Control   string `json:"control"`
	Class     string `json:"class"`
	Rationale string `json:"rationale"`
}

// CoverageOptions select the controls counted.
type CoverageOptions struct {
	// Include, when set, reports whether a control counts (for example
	// because the sources its evidence comes from are configured).
	Include func(*Control) bool
}

// Coverage computes the coverage of framework fw by the library's controls.
func (l *Library) Coverage(fw *Framework, opts CoverageOptions) Coverage {
	cov := Coverage{Framework: fw.ID, Name: fw.Name, Filtered: opts.Include != nil, Requirements: []RequirementCoverage{}}
	for _, req := range fw.Requirements {
		rc := RequirementCoverage{ID: req.ID, Group: req.Group, Title: req.Title,
			Automated: []string{}, Inherited: []string{}, Manual: []string{}, Mappings: []MappingCoverage{}}
		for _, c := range l.ControlsFor(fw.ID, req.ID) {
			if opts.Include != nil && !opts.Include(c) {
				continue
			}
			class := CoverageClass(c)
			switch class {
			case CoverAutomated:
				rc.Automated = append(rc.Automated, c.ID)
			case CoverInherited:
				rc.Inherited = append(rc.Inherited, c.ID)
			default:
				rc.Manual = append(rc.Manual, c.ID)
			}
			rc.Mappings = append(rc.Mappings, MappingCoverage{Control: c.ID, Class: class, Rationale: MappingRationale(c, fw.ID, req.ID)})
		}
		rank := func(class string) int {
			return slices.Index([]string{CoverAutomated, CoverInherited, CoverManual}, class)
		}
		slices.SortStableFunc(rc.Mappings, func(a, b MappingCoverage) int { return rank(a.Class) - rank(b.Class) })
		switch {
		case len(rc.Automated) > 0:
			rc.Status = CoverAutomated
			cov.Automated++
		case len(rc.Inherited) > 0:
			rc.Status = CoverInherited
			cov.Inherited++
		case len(rc.Manual) > 0:
			rc.Status = CoverManual
			cov.Manual++
		default:
			rc.Status = CoverUncovered
			cov.Uncovered++
		}
		cov.Requirements = append(cov.Requirements, rc)
	}
	return cov
}

// CoverageClass returns how c covers what it maps to: automated when any of
// its evidence comes from an API, inherited when all of it is a provider's
// certification, manual otherwise (records, the register, or manual
// evidence requirements only).
func CoverageClass(c *Control) string {
	inherited := len(c.Evidence) > 0
	for _, r := range c.Evidence {
		switch {
		case slices.Contains(InheritedTypes, r.Type):
		case slices.Contains(RecordTypes, r.Type):
			inherited = false
		default:
			return CoverAutomated
		}
	}
	if inherited && len(c.Manual) == 0 {
		return CoverInherited
	}
	return CoverManual
}

// EvidenceTypes returns the resource types c needs, sorted: those of its
// evidence requirements, and manual evidence records when it has manual
// requirements.
func EvidenceTypes(c *Control) []string {
	var out []string
	for _, r := range c.Evidence {
		out = append(out, r.Type)
	}
	if len(c.Manual) > 0 {
		out = append(out, ManualType)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// MappingRationale returns why c maps to requirement id of framework fw.
// For a GDPR TOM category that c maps to only through its tom.category,
// the reason is that its statement is filed under that category.
func MappingRationale(c *Control, fw, id string) string {
	if r := c.Mappings.Rationale(fw, id); r != "" {
		return r
	}
	if fw == "gdpr" && id == "TOM."+c.TOM.Category && !slices.Contains(c.Mappings.For(fw), id) {
		return "Its TOM statement is filed under this category."
	}
	return ""
}

// NeededTypes returns the resource types the controls of l read: the types
// of their evidence requirements, and the manual evidence type when a
// control asks for manual evidence. Planning enables only the collectors
// that emit one of them, so attest makes no call it does not use.
func (l *Library) NeededTypes() map[string]bool {
	need := map[string]bool{}
	for _, c := range l.Controls {
		for _, r := range c.Evidence {
			need[r.Type] = true
		}
		if len(c.Manual) > 0 {
			need[ManualType] = true
		}
	}
	return need
}
