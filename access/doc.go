// Package access holds who may do what in Vigil: institutions (tenants),
// users and their roles, password hashing, server-side sessions, sign-in
// throttling and the TOTP second factor. The web layer asks it to
// authenticate a request; the authorization table itself lives beside the
// routes in package web, and names the roles defined here.
//
// Every query here is scoped to one institution except the few that must
// find an account before anyone is known (sign-in by username, session lookup
// by token), which run in the system scope and check the institution after.
package access
