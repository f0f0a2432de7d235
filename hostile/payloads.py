"""XSS payloads for Gazette's hostile-input suite, composed from the known
classes of attack rather than copied from a list.

Every payload, if it ever ran, would call `__xss(ID)` (or `alert(ID)`, which
opens a dialog saying ID), so a browser test can tell that something executed
and which payload did it. The families:

* handlers: elements with event handlers that fire on their own (onerror,
  onload, onfocus with autofocus, ontoggle...), quoted and spaced every way a
  parser accepts;
* scripts: <script> in its many spellings;
* urls: javascript:, data: and vbscript: addresses, with entities, percent
  escapes, mixed case and control characters inside the scheme, in every
  place an address can go (links, images, frames, forms, Markdown links,
  autolinks, reference links) and bare, as a website field holds it;
* svg and mathml: the foreign namespaces and their own ways to run script;
* mutation: markup that changes meaning when parsed twice (noscript,
  textarea, style, template, comments, namespace confusion);
* broken: unclosed, doubled and malformed tags;
* unicode: full-width brackets, zero-width joiners, right-to-left overrides,
  characters whose upper case is ASCII;
* markdown: what only a Markdown renderer would turn into markup;
* breakouts: text that closes the attribute, element or JSON-LD block it was
  put into (title, alt, meta descriptions, <script type=application/ld+json>).
"""

import base64
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

# Each template holds "{js}" where the call goes; a callable gets the id and
# builds the text itself (for encodings that must encode the call too).
Template = str | Callable[[int], str]


@dataclass(frozen=True)
class Payload:
    id: int
    family: str
    text: str

    @property
    def call(self) -> str:
        return f"__xss({self.id})"


def _call(n: int) -> str:
    return f"__xss({n})"


def _entities(text: str, hexadecimal: bool = True) -> str:
    if hexadecimal:
        return "".join(f"&#x{ord(c):x};" for c in text)
    return "".join(f"&#{ord(c):07d};" for c in text)


def _handlers() -> list[Template]:
    # (element and what it needs, event): each fires without anyone clicking,
    # or on an ordinary hover or focus.
    firing = [
        ("img src=x", "onerror"),
        ("img src", "onerror"),
        ("img srcset=x", "onerror"),
        ("image src=x", "onerror"),
        ("video src=x", "onerror"),
        ("audio src=x", "onerror"),
        ("input type=image src=x", "onerror"),
        ("object data=x", "onerror"),
        ("embed src=x", "onerror"),
        ("script src=x", "onerror"),
        ("link rel=stylesheet href=x", "onerror"),
        ("svg", "onload"),
        ("body", "onload"),
        ("body", "onpageshow"),
        ("iframe", "onload"),
        ("style", "onload"),
        ("details open", "ontoggle"),
        ("input autofocus", "onfocus"),
        ("select autofocus", "onfocus"),
        ("textarea autofocus", "onfocus"),
        ("button autofocus", "onfocus"),
        ("div tabindex=0 autofocus", "onfocusin"),
        ("marquee", "onstart"),
        ("div", "onmouseover"),
        ("p", "onclick"),
        ("span", "onpointerenter"),
        ("a href=#", "onmousemove"),
        ("form", "onsubmit"),
        ("x contenteditable", "onbeforeinput"),
        ("table background=x", "onerror"),
    ]
    out: list[Template] = []
    for element, event in firing:
        tag = element.split()[0]
        out.append(f"<{element} {event}={{js}}>")
        out.append(f'<{element} {event}="{{js}}">x</{tag}>')
        out.append(f"<{element.upper()} {event.upper()}='{{js}}'>")
    # Everything a parser takes as the space between attributes.
    for separator in ("/", "\n", "\t", "\x0c", "/**/"):
        for element, event in firing[:8]:
            out.append(f"<{element.replace(' ', separator)}{separator}{event}={{js}}>")
    return out


SCRIPTS: list[Template] = [
    "<script>{js}</script>",
    "<SCRIPT>{js}</SCRIPT>",
    "<script >{js}</script >",
    "<script\n>{js}</script\n>",
    "<script type=module>{js}</script>",
    "<script type=text/javascript>{js}</script>",
    "<script src=data:,{js}></script>",
    "<script src=//x.invalid/{js}></script>",
    "<script>/*</script>*/{js}</script>",
    "<script>// --></script><script>{js}</script>",
    "<script\x0c>{js}</script>",
    "<script/x>{js}</script>",
    "<script>{js}<!--</script>",
    "<script charset=utf-7>+ADw-script+AD4-{js}+ADw-/script+AD4-</script>",
    "<script>setTimeout('{js}')</script>",
]

# Ways to spell "javascript:" (and its siblings) that some parser, browser or
# sanitiser has taken as the real thing.
SCHEMES: list[Template] = [
    "javascript:{js}",
    "JaVaScRiPt:{js}",
    "JAVASCRIPT:{js}",
    " javascript:{js}",
    "\tjavascript:{js}",
    "java\tscript:{js}",
    "java\nscript:{js}",
    "java\rscript:{js}",
    "jav&#x09;ascript:{js}",
    "jav&#10;ascript:{js}",
    "&#106;avascript:{js}",
    "&#x6A;avascript:{js}",
    "&#0000106;avascript:{js}",
    "javascript&colon;{js}",
    "javascript&#58;{js}",
    "javascript&#x3a;{js}",
    "%6Aavascript:{js}",
    "javascript%3A{js}",
    "\x01javascript:{js}",
    "java\u200bscript:{js}",
    "javascript://%0a{js}",
    "javascript://x.test/%250a{js}",
    lambda n: _entities(f"javascript:{_call(n)}"),
    lambda n: _entities(f"javascript:{_call(n)}", hexadecimal=False),
    "vbscript:msgbox({js})",
    "VBScript:{js}",
    "data:text/html,<script>{js}</script>",
    "DATA:text/html,<script>{js}</script>",
    "data:image/svg+xml,<svg onload={js}>",
    lambda n: (
        "data:text/html;base64,"
        + base64.b64encode(f"<script>{_call(n)}</script>".encode()).decode()
    ),
]

# Places an address goes; "{u}" is one spelling from SCHEMES.
URL_PLACES = [
    '<a href="{u}">x</a>',
    '<img src="{u}">',
    '<iframe src="{u}"></iframe>',
    '<form action="{u}"><button>x</button></form>',
    "[x]({u})",
    "![x]({u})",
    "<{u}>",
    "[x][r]\n\n[r]: {u}",
    "[x](<{u}>)",
    '<object data="{u}"></object>',
    '<embed src="{u}">',
    '<button form=x formaction="{u}">x</button>',
    '<math href="{u}">x</math>',
    '<svg><a xlink:href="{u}"><text y=9>x</text></a></svg>',
    '<base href="{u}">',
    '<meta http-equiv=refresh content="0;url={u}">',
]

FOREIGN: list[Template] = [
    "<svg><script>{js}</script></svg>",
    "<svg><script href=data:,{js} />",
    "<svg><animate onbegin={js} attributeName=x dur=1s>",
    "<svg><set onbegin={js} attributeName=x to=1>",
    "<svg><animate attributeName=href values=javascript:{js} /><a><text y=9>x</text></a>",
    "<svg><use href=data:image/svg+xml,<svg%20id='x'%20onload='{js}'/>#x />",
    "<svg><foreignObject><img src=x onerror={js}></foreignObject></svg>",
    "<svg><desc><img src=x onerror={js}></desc></svg>",
    "<svg><title><img src=x onerror={js}></title></svg>",
    "<svg><image href=x onerror={js} />",
    "<svg><feImage href=x onerror={js} />",
    "<svg><handler xmlns:ev=http://www.w3.org/2001/xml-events ev:event=load>{js}</handler>",
    "<svg xmlns=http://www.w3.org/2000/svg><g onload={js}></g></svg>",
    "<svg><discard onbegin={js} />",
    "<svg><a><rect width=9 height=9 /><animate attributeName=href to=javascript:{js} /></a>",
    "<math><mtext><img src=x onerror={js}></mtext></math>",
    "<math><mi xlink:href=javascript:{js}>x</mi></math>",
    "<math><maction actiontype=statusline xlink:href=javascript:{js}>x</maction></math>",
    "<math><annotation-xml encoding=text/html><img src=x onerror={js}></annotation-xml></math>",
    "<math><annotation-xml encoding=application/xhtml+xml><svg onload={js}>",
    "<math><style><img src=x onerror={js}></style></math>",
    "<math><mglyph><svg><mtext><textarea><path id=</textarea><img onerror={js} src=1>",
    "<svg><style>@import'data:,{js}'</style>",
    "<svg><![CDATA[><img src=x onerror={js}>]]></svg>",
    "<svg><p><style><img src=x onerror={js}></style>",
]

MUTATION: list[Template] = [
    '<noscript><p title="</noscript><img src=x onerror={js}>">',
    "<noscript><style></noscript><img src=x onerror={js}></style>",
    '<textarea><img title="</textarea><img src=x onerror={js}>">',
    '<style><img title="</style><img src=x onerror={js}>">',
    '<xmp><img title="</xmp><img src=x onerror={js}>">',
    '<title><img title="</title><img src=x onerror={js}>">',
    '<iframe><img title="</iframe><img src=x onerror={js}>">',
    '<noembed><img title="</noembed><img src=x onerror={js}>">',
    '<noframes><img title="</noframes><img src=x onerror={js}>">',
    "<plaintext></plaintext><img src=x onerror={js}>",
    "<template><img src=x onerror={js}></template>",
    "<template><script>{js}</script></template>",
    "<!--><img src=x onerror={js}>-->",
    "<!---><img src=x onerror={js}>-->",
    "<!--a--!><img src=x onerror={js}>-->",
    "<!-- --!><img src=x onerror={js}>",
    "<?x><img src=x onerror={js}>?>",
    "<!x><img src=x onerror={js}>",
    "</x><img src=x onerror={js}>",
    '<svg></p><style><a id="</style><img src=1 onerror={js}>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror={js}>",
    '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;/mglyph&gt;&lt;img&Tab;src=1&Tab;onerror={js}&gt;">',
    '<select><template><style><!--</style><a rel="--></style></template></select><img src=x onerror={js}>">',
    "<table><caption><svg><style><img src=x onerror={js}></style></svg></caption></table>",
    '<a href="&#x6A;avascript:{js}" title="</a><img src=x onerror={js}>">x</a>',
    '<iframe srcdoc="&lt;script&gt;{js}&lt;/script&gt;"></iframe>',
    '<iframe srcdoc="<img src=x onerror={js}>"></iframe>',
    '<object data="data:text/html,&lt;script&gt;{js}&lt;/script&gt;"></object>',
    '<div id="x"></div><img name=getElementById src=x onerror={js}>',
]

BROKEN: list[Template] = [
    "<img src=x onerror={js}",
    "<img src=x onerror={js}//",
    "<svg/onload={js}",
    "<svg onload={js}//",
    "<<script>{js}//<</script>",
    "<scr<script>ipt>{js}</scr</script>ipt>",
    "<scr<!-- -->ipt>{js}</script>",
    '<img """><script>{js}</script>">',
    "<img src=`x` onerror={js}>",
    '<a href="javascript:{js}',
    "<img/src=x/onerror={js}>",
    "<img\nsrc=x\nonerror={js}>",
    "<img src=x onerror\x0c={js}>",
    "<img src=x onerror ={js}>",
    "<img src=x onerror= {js}>",
    "<img src='x'onerror='{js}'>",
    '<img src="x"onerror="{js}">',
    "<img src=x:onerror={js}>",
    "<img src=x onerror={js} <b>",
    "<<img src=x onerror={js}>>",
    "<img src=x onerror=&#x5F;&#x5F;xss({js_id})>",
    "<img src=x onerror=&#95;&#95;xss&#40;{js_id}&#41;>",
    "<img src=x onerror=\\u005F\\u005Fxss({js_id})>",
    "<img src=x onerror=eval('\\x5f\\x5fxss({js_id})')>",
    "<img src=x onerror=top['__x'+'ss']({js_id})>",
    "<img src=x onerror=alert({js_id})>",
    "<svg onload=alert`{js_id}`>",
    "<img src=x onerror=window.onerror=alert;throw {js_id}>",
    '<div style="background:url(javascript:{js})">x</div>',
    '<div style="x:expression({js})">x</div>',
    "<style>*{background:url(javascript:{js})}</style>",
    "<link rel=import href=data:text/html,<script>{js}</script>>",
    "<isindex type=image src=x onerror={js}>",
    "<keygen autofocus onfocus={js}>",
]

UNICODE: list[Template] = [
    "＜script＞{js}＜/script＞",
    "＜img src=x onerror={js}＞",
    "\uff1cimg src=x onerror={js}\uff1e",
    "<scr\u200dipt>{js}</scr\u200dipt>",
    "<img src=x on\u200berror={js}>",
    "<img src=x onerror\u00a0={js}>",
    "<img src=x\u3000onerror={js}>",
    "\u202e>tpircs/<{js}>tpircs<",
    "<img src=x \u202eonerror={js}>",
    "\ufeff<script>{js}</script>",
    "<sc\u0131ript>{js}</sc\u0131ript>",
    "<\u017fcript>{js}</\u017fcript>",
    "<ſvg onload={js}>",
    "<img src=x onerror=\u2028{js}>",
    "<img src=x onerror={js}\u2029>",
    "\u0130<img src=x onerror={js}>",
    '<a href="\u0000javascript:{js}">x</a>'.replace("\u0000", "&#0;"),
    '<a href="jav\u0430script:{js}">x</a>',
    "‹script›{js}‹/script›",
    "<img src=x onerror={js}>\U0001f600",
    "\u2039img src=x onerror={js}\u203a",
    "%3Cscript%3E{js}%3C/script%3E",
    "%253Cscript%253E{js}%253C/script%253E",
    "\\u003cscript\\u003e{js}\\u003c/script\\u003e",
    "\\x3cscript\\x3e{js}\\x3c/script\\x3e",
]

MARKDOWN: list[Template] = [
    '[x](javascript:{js} "t")',
    "[x]( javascript:{js})",
    "[x](javascript&#x3A;{js})",
    "[x](&#106;avascript:{js})",
    "[x](JAVASCRIPT:{js})",
    "[x](java\\script:{js})",
    "[x][1]\n\n[1]: <javascript:{js}>",
    "[x]\n\n[x]: javascript:{js} 'title'",
    '![x](x"onerror="{js})',
    '![x](x "a\\" onerror=\\"{js}")',
    "![x](x 'a' onerror='{js}')",
    '[x](https://x.test/"onmouseover="{js})',
    '[x](https://x.test "\\"onmouseover=\\"{js}")',
    '[x](#"onclick="{js})',
    '<div onclick="{js}">\n\n*x*\n\n</div>',
    "<script>\n{js}\n</script>",
    "<!-- x -->\n<img src=x onerror={js}>",
    "`<img src=x onerror={js}>`",
    "    <script>{js}</script>",
    "```html\n<script>{js}</script>\n```",
    "``` onload={js}\nx\n```",
    '```"><img src=x onerror={js}>\nx\n```',
    "**<img src=x onerror={js}>**",
    "_<svg onload={js}>_",
    "> <svg onload={js}>",
    "- [x](javascript:{js})",
    "1. <img src=x onerror={js}>",
    "| a |\n|---|\n| <img src=x onerror={js}> |",
    "| a |\n|:--|\n| [x](javascript:{js}) |",
    "~~<script>{js}</script>~~",
    "#<svg/onload={js}>",
    "#tag<img src=x onerror={js}>",
    "[<img src=x onerror={js}>](https://x.test/)",
    '![<img src=x onerror={js}>](https://x.test/a.png "<script>{js}</script>")',
    '![a](/media/x.png "\\"><img src=x onerror={js}>")',
    '![a](/media/x.png "</figcaption><script>{js}</script>")',
    '<https://x.test/"onmouseover="{js}">',
    '<mailto:x@x.test?subject="><script>{js}</script>>',
    '[x](mailto:"><script>{js}</script>)',
    "&#60;script&#62;{js}&#60;/script&#62;",
    "&lt;script&gt;{js}&lt;/script&gt;",
    "\\<script>{js}\\</script>",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "*x*<img src=x onerror={js}>*",
    "[x](https://x.test)<img src=x onerror={js}>",
    "<details>\n<summary>x</summary>\n<img src=x onerror={js}>\n</details>",
]

BREAKOUTS: list[Template] = [
    '"><img src=x onerror={js}>',
    "'><img src=x onerror={js}>",
    '" autofocus onfocus="{js}',
    "' autofocus onfocus='{js}",
    '" onmouseover="{js}" x="',
    "' onmouseover='{js}' x='",
    '"onmouseover={js} "',
    "x onmouseover={js}",
    "</title><script>{js}</script>",
    "</title><img src=x onerror={js}>",
    "</script><script>{js}</script>",
    "</script><img src=x onerror={js}>",
    "</SCRIPT ><svg onload={js}>",
    "</script\t><img src=x onerror={js}>",
    '"}]}</script><script>{js}</script>',
    '\\"}</script><svg onload={js}>',
    "\u2028\u2029</script><script>{js}</script>",
    "<!--<script>{js}</script>",
    "</textarea><script>{js}</script>",
    "</style><script>{js}</script>",
    "</noscript><img src=x onerror={js}>",
    "--><script>{js}</script>",
    "]]><script>{js}</script>",
    "]]>&lt;script&gt;{js}&lt;/script&gt;",
    "&quot;&gt;&lt;script&gt;{js}&lt;/script&gt;",
    "&#34;&#62;<img src=x onerror={js}>",
    "&amp;lt;script&amp;gt;{js}&amp;lt;/script&amp;gt;",
    "\"'><details open ontoggle={js}>",
    '" style="x:expression({js})',
    "</a><a href=javascript:{js}>x</a>",
    "</option></select><img src=x onerror={js}>",
    "</iframe><script>{js}</script>",
    "</xmp><script>{js}</script>",
    "</mark><img src=x onerror={js}>",
    "</h1><svg onload={js}>",
    '"><meta http-equiv=refresh content="0;url=javascript:{js}">',
    '"><base href=javascript:{js}//>',
    '"><link rel=stylesheet href=data:,*{x:expression({js})}>',
    '";{js};"',
    "';{js};'",
    "{{{js}}}",
    "${{js}}",
    "{% raw %}<script>{js}</script>",
    "javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+{js}//'>",
]


def _fill(template: Template, n: int) -> str:
    if callable(template):
        return template(n)
    return template.replace("{js_id}", str(n)).replace("{js}", _call(n))


def _families() -> list[tuple[str, list[Template]]]:
    urls: list[Template] = []
    for s, scheme in enumerate(SCHEMES):
        urls.append(scheme)  # bare, as a website field holds it
        # Each spelling in six places, turning through all of them.
        for k in range(6):
            place = URL_PLACES[(s + 3 * k) % len(URL_PLACES)]
            urls.append(_in_place(place, scheme))
    return [
        ("handlers", _handlers()),
        ("scripts", SCRIPTS),
        ("urls", urls),
        ("svg-mathml", FOREIGN),
        ("mutation", MUTATION),
        ("broken", BROKEN),
        ("unicode", UNICODE),
        ("markdown", MARKDOWN),
        ("breakouts", BREAKOUTS),
    ]


def _in_place(place: str, scheme: Template) -> Template:
    def build(n: int) -> str:
        return place.replace("{u}", _fill(scheme, n))

    return build


@cache
def all_payloads() -> tuple[Payload, ...]:
    """Every payload once, numbered from 1. Two templates that give the same
    text (for the same id) count once."""
    seen: set[str] = set()
    out: list[Payload] = []
    for family, templates in _families():
        for template in templates:
            shape = _fill(template, 0)
            if shape in seen:
                continue
            seen.add(shape)
            n = len(out) + 1
            out.append(Payload(n, family, _fill(template, n)))
    return tuple(out)


def pack(payloads: list[Payload], limit: int, separator: str = " ") -> list[str]:
    """The payloads' texts joined into as few strings of at most `limit`
    characters as keep each payload whole (for titles and other short fields);
    a payload longer than `limit` is cut to it."""
    out: list[str] = []
    current = ""
    for payload in payloads:
        text = payload.text[:limit]
        if current and len(current) + len(separator) + len(text) <= limit:
            current += separator + text
            continue
        if current:
            out.append(current)
        current = text
    if current:
        out.append(current)
    return out
