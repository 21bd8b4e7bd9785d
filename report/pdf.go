package report

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"time"

	"github.com/chromedp/chromedp"
)

// ErrNoChromium is returned by PDF when no Chromium can be found.
var ErrNoChromium = errors.New("PDF needs Chromium, which is not installed: install the chromium package (Debian: apt-get install chromium) or set VIGIL_CHROMIUM to its path; the HTML edition works without it")

// ChromiumPath finds the browser: $VIGIL_CHROMIUM, then the usual names on PATH.
func ChromiumPath() (string, error) {
	if p := os.Getenv("VIGIL_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("VIGIL_CHROMIUM=%s: %w", p, err)
		}
		return p, nil
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// PDF prints an HTML document to A4 PDF with a headless Chromium started for
// the purpose. The page is served from a loopback server that answers only
// this document, and Chromium runs with networking to anything else left to
// its defaults of a closed machine (chromedp disables background traffic).
func PDF(ctx context.Context, html []byte) ([]byte, error) {
	path, err := ChromiumPath()
	if err != nil {
		return nil, err
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(html)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.DisableGPU)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to start its sandbox as root
	}
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	tctx, tcancel := chromedp.NewContext(actx)
	defer tcancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		return nil, fmt.Errorf("chromium: %w", err)
	}
	pdf, err := chromedp.Run(tctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPrintBackground()))
	if err != nil {
		return nil, fmt.Errorf("chromium print: %w", err)
	}
	return pdf, nil
}
