package exchange_test

import "encoding/base64"

func encodeSig(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
