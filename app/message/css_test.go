package message

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSanitizeStyleAttr(t *testing.T) {
	t.Parallel()
	const png = "data:image/png;base64,iVBORw0KGgo="
	cid := func(id string) (string, bool) { return png, id == "a@b" }
	for _, tc := range []struct {
		name    string
		in      string
		remote  bool
		want    string
		blocked bool
	}{
		{"plain", "color: red; font-size: 12px", false, "color:red;font-size:12px", false},
		{"important kept", "color:red !important", false, "color:red!important", false},
		{"unknown and dangerous properties dropped", "position:fixed;z-index:10;transform:scale(2);behavior:url(x.htc);-moz-binding:url(x);content:'x';color:blue", false, "color:blue", false},
		{"vendor prefixes dropped", "-webkit-text-size-adjust:100%;-ms-text-size-adjust:100%;mso-line-height-rule:exactly", false, "", false},
		{"escaped property name decoded then refused", `pos\ition:fixed;p\6f sition:fixed`, false, "", false},
		{"escaped allowed property written plainly", `c\olor:red`, false, "color:red", false},
		{"expression refused", "width:expression(alert(1))", false, "", false},
		{"escaped expression refused", `width:e\x\p\r\e\s\s\i\o\n(alert(1))`, false, "", false},
		{"comment inside keyword", "width:expr/**/ession(alert(1))", false, "", false},
		{"var refused", "--x:url(https://t/x);background:var(--x)", false, "", false},
		{"image-set refused", "background-image:image-set('https://t/x.png' 1x)", false, "", false},
		{"remote url blocked", "background:#fff url(https://t.example/a.png) no-repeat", false, "background:#fff none no-repeat", true},
		{"remote url allowed", "background:#fff url( 'https://t.example/a b.png' ) no-repeat", true, `background:#fff url("https://t.example/a%20b.png") no-repeat`, false},
		{"unclosed url is still a url", "background:url(https://t.example/a.png", false, "background:none", true},
		{"unclosed url allowed gets closed", "background:url(https://t.example/a.png", true, `background:url("https://t.example/a.png")`, false},
		{"escaped url function", `background:\75 rl(https://t.example/a.png)`, false, "background:none", true},
		{"url in a non-background property refused", "list-style-image:url(https://t.example/a.png);list-style:url(https://t.example/b.png)", false, "", false},
		{"javascript url refused", "background:url(javascript:alert(1))", true, "", false},
		{"relative url refused", "background:url(x.png)", true, "", false},
		{"data image url kept", "background-image:url(" + png + ")", false, `background-image:url("` + png + `")`, false},
		{"cid url mapped", "background-image:url(cid:a@b)", false, `background-image:url("` + png + `")`, false},
		{"unknown cid becomes none", "background-image:url(cid:x@y)", false, "background-image:none", false},
		{"bad string drops the declaration", "font-family:\"a\nb;color:red", false, "color:red", false},
		{"bad string reopens a string", "font-family:\"a\nb\";color:red", false, "", false},
		{"strings re-quoted and escaped", `font-family:'<\/style>', "a\"b"`, false, `font-family:"\3c /style\3e ", "a\22 b"`, false},
		{"strings only where allowed", "color:'red'", false, "", false},
		{"display limited", "display:block;display:-webkit-box;display:contents", false, "display:block", false},
		{"visibility limited", "visibility:hidden;visibility:x", false, "visibility:hidden", false},
		{"functions", "color:rgba(0,0,0,.5);width:calc(100% - 2*10px);background:linear-gradient(to right, #fff 0%, #000 100%)", false,
			"color:rgba(0,0,0,.5);width:calc(100% - 2*10px);background:linear-gradient(to right, #fff 0%, #000 100%)", false},
		{"unknown function refused", "width:attr(data-w px)", false, "", false},
		{"nested blocks refused", "color:red;{background:url(https://t/x)};width:1px", false, "color:red;width:1px", false},
		{"braces in value refused", "color:red}body{background:blue", false, "", false},
		{"font shorthand", "font:bold 12px/1.4 Arial, \"Helvetica Neue\", sans-serif", false, `font:bold 12px/1.4 Arial, "Helvetica Neue", sans-serif`, false},
		{"html-ish text", "color:red</style><script>", false, "", false},
		{"empty and junk", ";;;: ; color ; :red; 12px:3", false, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var rep sanitizeReport
			got := sanitizeStyleAttr(tc.in, &cssEnv{remote: tc.remote, cid: cid, report: &rep})
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if rep.remoteBlocked != tc.blocked {
				t.Errorf("remote blocked = %v, want %v", rep.remoteBlocked, tc.blocked)
			}
		})
	}
}

func TestSanitizeStylesheet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   string
		want string
	}{
		{"rules", "p { color: red } .a, #b > span.c:hover { margin: 0 }", "p{color:red}\n.m_a, #m_b > span.m_c:hover{margin:0}\n"},
		{"at-rules dropped", "@import url(x.css); @font-face{font-family:x;src:url(https://t/f.woff)} @namespace svg url(x); @keyframes k{from{color:red}} @supports (display:grid){p{color:red}} @page{margin:0} p{color:blue}", "p{color:blue}\n"},
		{"escaped @import", `@\69mport url(x.css); p{color:blue}`, "p{color:blue}\n"},
		{"media kept", "@media only screen and (max-width:600px){.a{width:100%!important}}", "@media only screen and (max-width:600px){.m_a{width:100%!important}\n}\n"},
		{"media with bad query dropped", "@media screen and (max-width:<600px){.a{width:100%}}", ""},
		{"nested media", "@media a{@media b{p{color:red}}}", "@media a{@media b{p{color:red}\n}\n}\n"},
		{"nested media too deep", "@media a{@media b{@media c{@media d{p{color:red}}}}}", ""},
		{"html comment markers ignored", "<!-- p{color:red} -->", "p{color:red}\n"},
		{"unclosed comment eats the rest", "p{color:red} /* q{color:blue}", "p{color:red}\n"},
		{"unclosed block closes at the end", "p{color:red", "p{color:red}\n"},
		{"bad selector drops the rule only", "p<img>{color:red} q{color:blue}", "q{color:blue}\n"},
		{"stray semicolon at top level", "p{color:red}; q{color:blue}", "p{color:red}\nq{color:blue}\n"},
		{"attribute selectors", `a[href^="https:"], td[align=center i]{color:red} [class~=x]{color:blue}`, "a[href^=\"https:\"], td[align=center i]{color:red}\n"},
		{"pseudo functions", "tr:nth-child(2n+1), p:not(.x){color:red} p:has(a){color:blue}", "tr:nth-child(2n +1), p:not(.m_x){color:red}\n"},
		{"style breakout in string", `p{font-family:"</style><script>alert(1)</script>"}`, `p{font-family:"\3c /style\3e \3c script\3e alert(1)\3c /script\3e "}` + "\n"},
		{"nested rules dropped", ".a{color:red; .b{background:url(https://t/x)} }", ".m_a{color:red}\n"},
		{"position never kept", ".o{position:fixed;top:0;left:0;inset:0;color:red}", ".m_o{color:red}\n"},
		{"empty rules dropped", "p{} q{position:fixed}", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := sanitizeStylesheet(tc.in, &cssEnv{})
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCSSTokenize(t *testing.T) {
	t.Parallel()
	type tok struct {
		Typ   cssTokType
		Value string
		Num   string
	}
	for _, tc := range []struct {
		in   string
		want []tok
	}{
		{`a:1.5em`, []tok{{cssIdent, "a", ""}, {cssColon, "", ""}, {cssDimension, "em", "1.5"}}},
		{`url( x )`, []tok{{cssURL, "x", ""}}},
		{`url( "x" )`, []tok{{cssFunction, "url", ""}, {cssWhitespace, "", ""}, {cssString, "x", ""}, {cssWhitespace, "", ""}, {cssRParen, "", ""}}},
		{`url(a b)`, []tok{{cssBadURL, "a", ""}}},
		{`\75 rl(x)`, []tok{{cssURL, "x", ""}}},
		{`#fff -1e3% --x`, []tok{{cssHash, "fff", ""}, {cssWhitespace, "", ""}, {cssPercentage, "", "-1e3"}, {cssWhitespace, "", ""}, {cssIdent, "--x", ""}}},
		{`<!-- -->`, []tok{{cssCDO, "", ""}, {cssWhitespace, "", ""}, {cssCDC, "", ""}}},
		{"'a\\\nb'", []tok{{cssString, "ab", ""}}},
		{"\x00", []tok{{cssIdent, "\uFFFD", ""}}},
	} {
		var got []tok
		for _, t := range cssTokenize(tc.in) {
			got = append(got, tok{t.typ, t.value, t.num})
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tc.in, diff)
		}
	}
}
