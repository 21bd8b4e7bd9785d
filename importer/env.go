package importer

import (
	"context"

	"vigil/audit"
	"vigil/fieldcrypt"
)

// Env is what an import may need beyond the store: the institution whose
// records it writes, who runs it (for the audit trail), the audit log and
// the key ring for encrypted fields. `vigil import` puts it in the context
// that Run receives; kinds that write institution records read it with
// EnvFrom and audit each write (or one entry per file for bulk reference
// data), so imports leave the same trail as changes made in the browser.
type Env struct {
	Institution string // empty when the store holds no institution yet
	Country     string // --country: ISO alpha-3 the imported rows are limited to, or ""
	Actor       string // who ran the import, e.g. "vigil cli (root)"
	Audit       *audit.Log
	Keys        *fieldcrypt.Keyring
}

type envKey struct{}

// WithEnv returns ctx carrying env.
func WithEnv(ctx context.Context, env Env) context.Context {
	return context.WithValue(ctx, envKey{}, env)
}

// EnvFrom returns the Env in ctx. Outside `vigil import` (tests calling Run
// directly) it returns an Env with a no-signature audit log so that code
// can call Audit.Append without checking for nil.
func EnvFrom(ctx context.Context) Env {
	env, _ := ctx.Value(envKey{}).(Env)
	if env.Audit == nil {
		env.Audit = &audit.Log{}
	}
	return env
}
