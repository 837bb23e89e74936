package controls

// Coverage says, for every requirement of a framework, which controls map to
// it and whether any of them is automated (has an evidence requirement over
// resources collected from an API), only manual (organisational evidence
// records), or none.
type Coverage struct {
	Framework    string                `json:"framework"`
	Name         string                `json:"name"`
	Automated    int                   `json:"automated"`
	Manual       int                   `json:"manual"`
	Uncovered    int                   `json:"uncovered"`
	Requirements []RequirementCoverage `json:"requirements"`
}

// A RequirementCoverage is one requirement's coverage.
type RequirementCoverage struct {
	ID        string   `json:"id"`
	Group     string   `json:"group"`
	Title     string   `json:"title"`
	Status    string   `json:"status"` // automated, manual or uncovered
	Automated []string `json:"automated_controls"`
	Manual    []string `json:"manual_controls"`
}

// Coverage computes the coverage of framework fw by the library's controls.
func (l *Library) Coverage(fw *Framework) Coverage {
	cov := Coverage{Framework: fw.ID, Name: fw.Name, Requirements: []RequirementCoverage{}}
	for _, req := range fw.Requirements {
		rc := RequirementCoverage{ID: req.ID, Group: req.Group, Title: req.Title, Automated: []string{}, Manual: []string{}}
		for _, c := range l.ControlsFor(fw.ID, req.ID) {
			if automated(c) {
				rc.Automated = append(rc.Automated, c.ID)
			} else {
				rc.Manual = append(rc.Manual, c.ID)
			}
		}
		switch {
		case len(rc.Automated) > 0:
			rc.Status = "automated"
			cov.Automated++
		case len(rc.Manual) > 0:
			rc.Status = "manual"
			cov.Manual++
		default:
			rc.Status = "uncovered"
			cov.Uncovered++
		}
		cov.Requirements = append(cov.Requirements, rc)
	}
	return cov
}

// automated reports whether a control rests on evidence collected from an
// API. Rules over manual evidence records still rest on people's
// attestations, so they count as manual.
func automated(c *Control) bool {
	for _, r := range c.Evidence {
		if r.Type != ManualType {
			return true
		}
	}
	return false
}
