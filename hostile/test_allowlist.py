"""The suite's own reader must see what it is there to see: if these pass, a
payload that got through would not go unnoticed."""

from hostile import allowlist
from hostile.payloads import all_payloads, pack

PAGE = """<!doctype html><html><head><title>{title}</title>
<script type="application/ld+json">{{"headline": "{title}"}}</script></head>
<body><div class="post-body">{body}</div></body></html>"""


def test_a_clean_page_passes():
    page = PAGE.format(title="Spring tide", body='<p><a href="/2019/">x</a></p>')
    assert allowlist.page_problems(page) == []


def test_handlers_scripts_and_script_addresses_are_caught():
    for body in (
        "<img src=x onerror=__xss(1)>",
        '<a href="java&#x09;script:__xss(1)">x</a>',
        "<svg><a><text>x</text></a></svg>",
        "<noscript><p title='</noscript><img src=x>'>",
        '<p style="x">x</p>',
        "<details open>x</details>",
    ):
        assert allowlist.page_problems(PAGE.format(title="t", body=body)), body


def test_a_json_ld_breakout_is_caught():
    title = "</script><script>__xss(1)</script>"
    assert allowlist.page_problems(PAGE.format(title=title, body=""))


def test_markup_in_an_rss_title_is_caught_and_escaped_markup_is_not():
    feed = b"""<rss version="2.0"><channel><title>%s</title>
<description>d</description><link>https://x.test/</link></channel></rss>"""
    assert allowlist.feed_problems(feed % b"&lt;b&gt;x&lt;/b&gt;", "rss")
    assert not allowlist.feed_problems(feed % b"&amp;lt;b&amp;gt;x", "rss")


def test_every_payload_is_distinct_and_attributable():
    payloads = all_payloads()
    assert len(payloads) >= 500
    assert len({p.text for p in payloads}) == len(payloads)
    for payload in payloads:
        # The id shows in the text, unless the whole call is encoded.
        encoded = ("&#", "base64", "\\u00", "%")
        assert str(payload.id) in payload.text or any(
            sign in payload.text for sign in encoded
        ), payload


def test_packing_keeps_payloads_whole_within_the_limit():
    texts = pack(list(all_payloads()), 200)
    assert all(len(text) <= 200 for text in texts)
    assert sum(text.count("__xss(") for text in texts) >= 500
