package app

import (
	"io"
	"net/http"
	"net/url"
	"testing"
)

// BenchmarkSearch100k searches a folder of 100,000 messages: a query
// matching every message, one matching a tenth, one matching one. It
// reports the time to the first page and the peak heap growth.
func BenchmarkSearch100k(b *testing.B) {
	e := benchEnv(b, 100_000, 0)
	c := e.client()
	c.login(b, e.acct.Login, e.acct.Password)
	c.page(b, "/m/INBOX", http.StatusOK)
	for _, q := range []string{"subject:#", "is:unread", `subject:"#99999"`} {
		b.Run(q, func(b *testing.B) {
			path := "/m/INBOX?q=" + url.QueryEscape(q)
			var peak int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var status int
				peak = max(peak, peakHeap(func() {
					resp := c.do(b, "GET", path, nil)
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					status = resp.StatusCode
				}))
				if status != 200 {
					b.Fatalf("status %d", status)
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}
