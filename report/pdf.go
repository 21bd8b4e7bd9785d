package report

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync"
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
	srv := serveOnce(html)
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

// Printer prints PDFs with one Chromium kept running between reports, each
// report in its own tab, so that only the first report pays for starting the
// browser. A long-running server uses one; one-off commands use PDF. The
// zero Printer is ready; a browser that died is started again on the next
// call. Chromium is killed when the process exits.
type Printer struct {
	mu      sync.Mutex
	browser context.Context
	stop    func()
}

func (p *Printer) tabParent() (context.Context, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.browser != nil && p.browser.Err() == nil {
		return p.browser, nil
	}
	path, err := ChromiumPath()
	if err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.DisableGPU)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		bcancel()
		acancel()
		return nil, fmt.Errorf("chromium: %w", err)
	}
	p.browser, p.stop = bctx, func() { bcancel(); acancel() }
	return bctx, nil
}

// PDF prints html in a new tab of the shared browser.
func (p *Printer) PDF(ctx context.Context, html []byte) ([]byte, error) {
	parent, err := p.tabParent()
	if err != nil {
		return nil, err
	}
	srv := serveOnce(html)
	defer srv.Close()
	tctx, cancel := chromedp.NewContext(parent)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel) // the caller gave up: close the tab
	defer stop()
	tctx, tcancel := context.WithTimeout(tctx, 60*time.Second)
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

// Close stops the browser.
func (p *Printer) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop != nil {
		p.stop()
		p.browser, p.stop = nil, nil
	}
}

func serveOnce(html []byte) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(html)
	}))
}
