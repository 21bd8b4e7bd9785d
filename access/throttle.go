package access

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"vigil/db"
)

// Sign-in throttling (ASVS 6.3.1), kept in the database so that every server
// behind a load balancer counts the same failures. An account locks after
// AccountLimit failures within Window; an address after AddressLimit, which
// is higher because offices share one public address.
var (
	ThrottleWindow = 15 * time.Minute
	LockFor        = 15 * time.Minute
	AccountLimit   = 5
	AddressLimit   = 30
)

// ErrThrottled means sign-in is refused for a while, whatever the password.
var ErrThrottled = errors.New("too many failed sign-ins; try again later")

func throttleKeys(username, ip string) []string {
	return []string{"user:" + username, "ip:" + ip}
}

func throttled(ctx context.Context, q db.Q, key string, now time.Time) (bool, error) {
	var until string
	err := q.QueryRow(ctx, "SELECT locked_until FROM login_throttle WHERE throttle_key = ?", key).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) || until == "" {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	t, _ := db.ParseTime(until)
	return now.Before(t), nil
}

func recordFailure(ctx context.Context, q db.Q, key string, limit int, now time.Time) error {
	var failures int
	var start string
	err := q.QueryRow(ctx, "SELECT failures, window_start FROM login_throttle WHERE throttle_key = ?", key).Scan(&failures, &start)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = q.Exec(ctx, "INSERT INTO login_throttle (throttle_key, failures, window_start, locked_until) VALUES (?, 1, ?, '')",
			key, db.FormatTime(now))
		return err
	}
	if err != nil {
		return err
	}
	st, _ := db.ParseTime(start)
	if now.Sub(st) > ThrottleWindow {
		failures, st = 0, now
	}
	failures++
	locked := ""
	if failures >= limit {
		locked = db.FormatTime(now.Add(LockFor))
	}
	_, err = q.Exec(ctx, "UPDATE login_throttle SET failures = ?, window_start = ?, locked_until = ? WHERE throttle_key = ?",
		failures, db.FormatTime(st), locked, key)
	return err
}

func clearFailures(ctx context.Context, q db.Q, key string) error {
	_, err := q.Exec(ctx, "DELETE FROM login_throttle WHERE throttle_key = ?", key)
	return err
}
