// Package templates embeds the text attest renders: report templates
// (HTML, Markdown), the TOMs and DPA texts in English and German, and the
// trust page. Keeping them in files rather than Go strings lets reviewers
// read and translate them as documents.
package templates

import "embed"

// FS holds report/, toms/ and trust/.
//
//go:embed report toms trust
var FS embed.FS
