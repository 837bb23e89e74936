package controls

// explicitRationale returns the rationale c's mappings give for requirement
// id of framework fw.
func explicitRationale(c *Control, fw, id string) string { return "" }
