package web

import (
	"net/http"
	"regexp"
	"strings"
)

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// openapi describes the JSON API from the authorization table itself, so the
// document cannot drift from the routes that exist or the roles they allow.
func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	paths := map[string]map[string]any{}
	for _, rt := range table() {
		if !rt.api {
			continue
		}
		op := map[string]any{
			"summary":     rt.doc,
			"operationId": strings.ToLower(rt.method) + strings.NewReplacer("/api/v1/", "_", "/", "_", "{", "", "}", "", ".", "_").Replace(rt.path),
			"responses": map[string]any{
				"200": map[string]any{"description": "OK"},
				"401": map[string]any{"description": "Not signed in"},
				"403": map[string]any{"description": "Role not allowed, or missing CSRF token on a write"},
				"404": map[string]any{"description": "No such record in the caller's institution"},
			},
		}
		if rt.public {
			op["security"] = []any{}
		} else {
			roles := make([]string, len(rt.roles))
			for i, ro := range rt.roles {
				roles[i] = string(ro)
			}
			op["x-vigil-roles"] = roles
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]string{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.method == "POST" {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]string{"type": "object"}}}}
			op["parameters"] = append(params, map[string]any{"name": "X-CSRF-Token", "in": "header", "required": true, "schema": map[string]string{"type": "string"}})
		}
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = op
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Vigil API", "version": s.cfg.Version,
			"description": "JSON API of a Vigil instance. Sign in through /login; the session cookie authenticates API calls, and writes carry the CSRF token from /api/v1/me in X-CSRF-Token."},
		"components": map[string]any{"securitySchemes": map[string]any{"session": map[string]any{"type": "apiKey", "in": "cookie", "name": s.cookieName()}}},
		"security":   []any{map[string]any{"session": []any{}}},
		"paths":      paths,
	})
}
