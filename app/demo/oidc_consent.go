package demo

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"slices"

	"github.com/oauth2-proxy/mockoidc"
)

// consentCSS styles the provider's pages: readable from 320 px wide, touch
// targets of at least 44 px, light and dark schemes, visible focus.
const consentCSS = `
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#f4f5f7;--card:#fff;--accent:#0b57d0;--line:#c4c8cf}
@media (prefers-color-scheme:dark){:root{--fg:#e8eaed;--bg:#111418;--card:#1d2127;--accent:#8ab4f8;--line:#444a53}}
*{box-sizing:border-box}
body{margin:0;font:1rem/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:28rem;margin:0 auto;padding:1.5rem 1rem}
h1{font-size:1.5rem;margin:0 0 1rem}
form,[role=alert]{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:1rem}
fieldset{border:0;margin:1rem 0;padding:0}
legend{font-weight:600;margin-bottom:.5rem}
label{display:flex;align-items:center;gap:.75rem;min-height:44px;padding:.25rem .5rem;border-radius:.375rem;cursor:pointer}
label:has(:checked){outline:2px solid var(--accent)}
input[type=radio]{width:1.25rem;height:1.25rem;margin:0;accent-color:var(--accent)}
small{display:block}
.actions{display:flex;gap:.75rem;flex-wrap:wrap}
button{flex:1 1 8rem;min-height:44px;font:inherit;font-weight:600;border-radius:.375rem;border:2px solid var(--accent);background:var(--accent);color:var(--card);cursor:pointer}
button.secondary{background:transparent;color:var(--accent)}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.note{font-size:.875rem;margin-bottom:0}
`

// consentHTML is the consent page, or an error page when Error is set. It
// needs no script; Allow comes first so that Enter allows.
const consentHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo ID</title>
<style>` + consentCSS + `</style>
</head>
<body>
<main>
<h1>Demo ID</h1>
{{if .Error -}}
<p role="alert" data-testid="consent-error">{{.Error}}</p>
{{- else -}}
<form method="post" action="{{.Action}}" data-testid="consent-form">
<p><strong data-testid="consent-client">{{.Client}}</strong> asks for access to your mailbox: to read, organise and send your mail.</p>
{{range .Params}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end -}}
<fieldset>
<legend>Continue as</legend>
{{range $i, $a := .Accounts}}<label><input type="radio" name="account" value="{{$a.Address}}" data-testid="consent-account"{{if eq $i $.Checked}} checked{{end}}><span>{{$a.Name}} <small>{{$a.Address}}</small></span></label>
{{end -}}
</fieldset>
<div class="actions">
<button type="submit" name="decision" value="allow" data-testid="consent-allow">Allow</button>
<button type="submit" name="decision" value="deny" data-testid="consent-deny" class="secondary">Deny</button>
</div>
<p class="note">Either way you go back to {{.ReturnTo}}. Demo ID is the demo's own sign-in service: it asks for no password.</p>
</form>
{{- end}}
</main>
</body>
</html>
`

type consentPage struct {
	Error    string
	Action   string
	Client   string
	ReturnTo string
	Params   []consentParam
	Accounts []Account
	Checked  int // index of the account checked first
}

type consentParam struct{ Name, Value string }

// consentTemplate parses the page. The template is a constant, so a parse
// error is a programming error caught by any test.
func consentTemplate() *template.Template {
	return template.Must(template.New("consent").Parse(consentHTML))
}

// consentCSP is the pages' Content-Security-Policy: nothing but the inline
// style, allowed by its hash.
func consentCSP() string {
	sum := sha256.Sum256([]byte(consentCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; base-uri 'none'; frame-ancestors 'none'"
}

func (p *Provider) renderConsent(w http.ResponseWriter, req authRequest) {
	page := consentPage{
		Action:   mockoidc.AuthorizationEndpoint,
		Client:   p.opt.ClientName,
		ReturnTo: req.redirectURI,
		Accounts: p.accounts,
	}
	// OpenID Connect's login_hint preselects an account.
	if i := slices.IndexFunc(p.accounts, func(a Account) bool { return a.Address == req.params.Get("login_hint") }); i >= 0 {
		page.Checked = i
	}
	if u, err := url.Parse(req.redirectURI); err == nil {
		page.ReturnTo = u.Scheme + "://" + u.Host
	}
	for name, values := range req.params {
		if name != "account" && name != "decision" {
			page.Params = append(page.Params, consentParam{name, values[0]})
		}
	}
	slices.SortFunc(page.Params, func(a, b consentParam) int { return cmp.Compare(a.Name, b.Name) })
	p.renderPage(w, http.StatusOK, page)
}

func (p *Provider) renderError(w http.ResponseWriter, status int, message string) {
	p.renderPage(w, status, consentPage{Error: message})
}

func (p *Provider) renderPage(w http.ResponseWriter, status int, page consentPage) {
	var buf bytes.Buffer
	if err := p.page.Execute(&buf, page); err != nil {
		p.log.Error("rendering the consent page failed", "err", err)
		http.Error(w, "Demo ID could not show this page.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", p.csp)
	h.Set("X-Frame-Options", "DENY") // a framed consent page invites clickjacking
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
