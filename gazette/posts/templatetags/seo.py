from django import template
from django.utils.safestring import SafeString

from gazette.posts import seo

register = template.Library()


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """The page's canonical address; none for a page whose address is a secret
    (`secret_address` in the context: a shared preview), which its tags
    (canonical link, og:url) must not publish."""
    request = context.get("request")
    if request is None or context.get("secret_address"):
        return ""
    return seo.canonical_url(request)


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    return context["request"].build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def post_image(context, post) -> dict | None:
    return seo.post_image(post, context["request"])


@register.simple_tag(takes_context=True)
def default_image(context) -> dict:
    return seo.default_image(context["request"])


@register.filter
def og_locale(language: str) -> str:
    return seo.og_locale(language)


@register.simple_tag(takes_context=True)
def blog_posting_json_ld(context, post) -> SafeString:
    return seo.json_ld(seo.blog_posting(post, context["request"]))
