package web

import (
	"os"
	"testing"

	"vigil/access"
)

func TestMain(m *testing.M) {
	access.UseTestHashCost()
	os.Exit(m.Run())
}
