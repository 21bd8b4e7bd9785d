package db

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"time"
)

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns an opaque record id: 48 bits of milliseconds then 80 random
// bits, in lower-case Crockford base32 (26 characters). Ids sort by creation
// time, which keeps indexes compact, and never repeat across instances, so a
// record keeps its id through export, exchange and import.
func NewID() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<16)
	rand.Read(b[6:])
	return idEncoding.EncodeToString(b[:])
}

// TimeFormat is how every timestamp is stored: fixed width, UTC, so that text
// order is time order on both stores and a backup carries it unchanged.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// Now is the current time in TimeFormat.
func Now() string { return time.Now().UTC().Format(TimeFormat) }

// FormatTime renders t in TimeFormat.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// ParseTime reads a TimeFormat (or any RFC 3339) timestamp.
func ParseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }
