package controls

import "embed"

// builtin holds the framework catalogs and the built-in control library.
//
//go:embed frameworks/*.yaml library
var builtin embed.FS
