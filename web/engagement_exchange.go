package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"vigil/access"
	"vigil/db"
	"vigil/exchange"
	"vigil/sensitivity"
)

// Who sees and handles exchange between Vigil instances: the keys trusted,
// bundles received and what came from whom. Administrators decide which keys
// to trust; analysts and administrators import bundles. Export is done with
// 'vigil exchange export', which holds the signing key.
var (
	exchangeReaders   = []access.Role{access.Administrator, access.Analyst, access.Reviewer}
	exchangeImporters = []access.Role{access.Administrator, access.Analyst}
)

func init() {
	registerPart(part{name: "engagement-exchange", order: 51,
		routes: []route{
			{method: "GET", path: "/engagement/exchange", roles: exchangeReaders, handle: (*Server).exchangePage},
			{method: "POST", path: "/engagement/exchange/keys", roles: admins, handle: (*Server).exchangeTrust},
			{method: "POST", path: "/engagement/exchange/import", roles: exchangeImporters, handle: (*Server).exchangeImport},
			{method: "GET", path: "/api/v1/engagement/exchange/records", roles: exchangeReaders, api: true,
				doc: "Records received from other Vigil instances, with sender and signing-key fingerprint.", handle: (*Server).apiExchangeRecords},
		},
	})
}

type exchangeView struct {
	Keys      []exchange.Key
	Bundles   []exchange.Received
	Senders   []exchangeSender
	CanTrust  bool
	CanImport bool
	Result    *exchange.Result
}

// exchangeSender groups received records by who sent them.
type exchangeSender struct {
	Sender, Fingerprint string
	Records             []exchange.StoredRecord
}

func (s *Server) exchangeView(r *http.Request) (exchangeView, error) {
	c := current(r)
	v := exchangeView{CanTrust: c.User.Role.In(admins...), CanImport: c.User.Role.In(exchangeImporters...)}
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		if v.Keys, err = exchange.Keys(r.Context(), tx, c.User.InstitutionID); err != nil {
			return err
		}
		if v.Bundles, err = exchange.Bundles(r.Context(), tx, c.User.InstitutionID); err != nil {
			return err
		}
		recs, err := exchange.Records(r.Context(), tx, c.User.InstitutionID, engageClearance(r))
		if err != nil {
			return err
		}
		for _, rec := range recs {
			n := len(v.Senders)
			if n == 0 || v.Senders[n-1].Sender != rec.Sender || v.Senders[n-1].Fingerprint != rec.Fingerprint {
				v.Senders = append(v.Senders, exchangeSender{Sender: rec.Sender, Fingerprint: rec.Fingerprint})
				n++
			}
			v.Senders[n-1].Records = append(v.Senders[n-1].Records, rec)
		}
		return nil
	})
	return v, err
}

func (s *Server) exchangePage(w http.ResponseWriter, r *http.Request) {
	v, err := s.exchangeView(r)
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The exchange page could not be loaded.", err)
		return
	}
	s.render(w, r, "engagement_exchange", pageData{Title: "Exchange with other institutions", Notice: engageNotice(r), Data: v})
}

func (s *Server) exchangeFailed(w http.ResponseWriter, r *http.Request, msg string) {
	v, err := s.exchangeView(r)
	if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The exchange page could not be loaded.", err)
		return
	}
	s.renderStatus(w, r, http.StatusBadRequest, "engagement_exchange", pageData{Title: "Exchange with other institutions", Error: msg, Data: v})
}

func (s *Server) exchangeTrust(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var userErr error
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		k, err := exchange.Trust(r.Context(), tx, c.User.InstitutionID, r.PostFormValue("name"), r.PostFormValue("key"), c.User.ID)
		if err != nil {
			userErr = err
			return err
		}
		return s.record(r.Context(), tx, r, "exchange.trust", "exchange_key", k.ID, "fingerprint="+k.Fingerprint)
	})
	if userErr != nil {
		s.exchangeFailed(w, r, "The key was not trusted: "+userErr.Error())
		return
	} else if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The key could not be saved.", err)
		return
	}
	http.Redirect(w, r, "/engagement/exchange?saved=key", http.StatusSeeOther)
}

// maxBundle bounds an uploaded bundle.
const maxBundle = 16 << 20

func (s *Server) exchangeImport(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	data := []byte(strings.TrimSpace(r.PostFormValue("bundle")))
	if f, _, err := r.FormFile("file"); err == nil {
		b, err := io.ReadAll(io.LimitReader(f, maxBundle+1))
		f.Close()
		if err != nil {
			s.exchangeFailed(w, r, "The file could not be read.")
			return
		}
		data = b
	}
	if len(data) == 0 {
		s.exchangeFailed(w, r, "Choose a bundle file or paste a bundle.")
		return
	}
	if len(data) > maxBundle {
		s.exchangeFailed(w, r, "The bundle is larger than 16 MiB.")
		return
	}
	var res exchange.Result
	var userErr error
	err := s.db.Write(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		if res, err = exchange.Import(r.Context(), tx, c.User.InstitutionID, data); err != nil {
			userErr = err
			return err
		}
		return s.record(r.Context(), tx, r, "exchange.import", "bundle", res.BundleID,
			fmt.Sprintf("from=%s inserted=%d updated=%d unchanged=%d", res.Fingerprint, res.Inserted, res.Updated, res.Unchanged))
	})
	if userErr != nil {
		msg := "The bundle was refused: " + userErr.Error()
		if errors.Is(userErr, exchange.ErrUntrusted) {
			msg += " An administrator can trust the key below once its fingerprint is confirmed."
		}
		s.exchangeFailed(w, r, msg)
		return
	} else if err != nil {
		s.fail(w, r, route{}, http.StatusInternalServerError, "The bundle could not be imported.", err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/engagement/exchange?saved=import&new=%d&updated=%d&unchanged=%d", res.Inserted, res.Updated, res.Unchanged), http.StatusSeeOther)
}

type exchangeRecordJSON struct {
	ID          string `json:"id"`
	Sender      string `json:"sender"`
	Fingerprint string `json:"fingerprint"`
	Kind        string `json:"kind"`
	Title       string `json:"title"`
	Date        string `json:"date,omitempty"`
	Sensitivity string `json:"sensitivity"`
	Body        any    `json:"body"`
	BundleID    string `json:"bundle_id"`
	ReceivedAt  string `json:"received_at"`
}

func (s *Server) apiExchangeRecords(w http.ResponseWriter, r *http.Request) {
	c := current(r)
	var recs []exchange.StoredRecord
	err := s.db.Read(r.Context(), c.User.InstitutionID, func(tx *db.Tx) error {
		var err error
		recs, err = exchange.Records(r.Context(), tx, c.User.InstitutionID, engageClearance(r))
		return err
	})
	if err != nil {
		s.fail(w, r, apiRoute, http.StatusInternalServerError, "internal error", err)
		return
	}
	out := make([]exchangeRecordJSON, 0, len(recs))
	for _, rec := range sensitivity.Filter(engageClearance(r), recs, func(x exchange.StoredRecord) sensitivity.Level { return x.Sensitivity }) {
		out = append(out, exchangeRecordJSON{ID: rec.RecordID, Sender: rec.Sender, Fingerprint: rec.Fingerprint, Kind: rec.Kind, Title: rec.Title,
			Date: rec.Date, Sensitivity: rec.Sensitivity.String(), Body: rawJSON(rec.Body), BundleID: rec.BundleID, ReceivedAt: rec.ReceivedAt})
	}
	writeJSON(w, http.StatusOK, map[string]any{"records": out})
}

// rawJSON passes stored JSON through unchanged.
type rawJSON string

func (j rawJSON) MarshalJSON() ([]byte, error) {
	if j == "" {
		return []byte("null"), nil
	}
	return []byte(j), nil
}
