package main

// Parts of the product that register import kinds, encrypted columns or
// demo seeders from their init functions must be linked into the binary
// even when no command names them.
import (
	_ "vigil/country"
	_ "vigil/incident"
)
