"""The search results page."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString

from gazette.posts.models import Hashtag, Post
from gazette.search.backends import get_backend, marked
from gazette.search.query import SearchQuery, parse

PER_PAGE = 10
# Deep pages cost the engines more and help no one; past this the answer is 404.
MAX_PAGE = 50


@dataclass
class Result:
    post: Post
    title: SafeString
    snippet: SafeString


@dataclass
class Found:
    results: list[Result] = field(default_factory=list)
    has_next: bool = False
    message: str = ""


def _page_number(request: HttpRequest) -> int:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError as error:
        raise Http404("No such page.") from error
    if not 1 <= number <= MAX_PAGE:
        raise Http404("No such page.")
    return number


def find(query: SearchQuery, page_number: int = 1) -> Found:
    """One page of visible posts matching `query`, best first, or why there is none."""
    if not query.text:
        return Found(message='Type a word or two, a "quoted phrase" or a #hashtag.')
    if query.is_empty:
        return Found(message="There is nothing to search for in that: try a word.")

    hashtags = {h.key: h for h in Hashtag.objects.filter(key__in=query.hashtag_keys)}
    missing = [n for n in query.hashtags if Hashtag.make_key(n) not in hashtags]
    if missing:
        return Found(message=f"No posts have the hashtag #{missing[0]}.")
    hashtag_ids = [h.pk for h in hashtags.values()]

    offset = (page_number - 1) * PER_PAGE
    if query.has_terms:
        hits = get_backend().search(query, hashtag_ids, offset, PER_PAGE + 1)
        posts = Post.objects.visible().for_listing().in_bulk([h.post_id for h in hits])
        results = [
            Result(posts[hit.post_id], marked(hit.title), marked(hit.snippet))
            for hit in hits
            if hit.post_id in posts
        ]
    else:
        # Only hashtags: their posts, newest first.
        # Newest first, walking the date index and checking each post's hashtags
        # (a join from the hashtag would sort all its posts first); then the
        # page's posts alone, since counting comments for every one costs much.
        tagged = Post.hashtags.through.objects.filter(post=OuterRef("pk"))
        listing = Post.objects.visible()
        for hashtag_id in hashtag_ids:
            listing = listing.filter(Exists(tagged.filter(hashtag=hashtag_id)))
        ids = listing.order_by("-published_at", "-id").values_list("pk", flat=True)
        ids = list(ids[offset : offset + PER_PAGE + 1])
        posts = Post.objects.for_listing().in_bulk(ids)
        results = [
            Result(posts[pk], escape(posts[pk].title), escape(posts[pk].summary))
            for pk in ids
        ]

    found = Found(results=results[:PER_PAGE], has_next=len(results) > PER_PAGE)
    if not results:
        found.message = (
            "No more results." if page_number > 1 else f"No posts match “{query.text}”."
        )
    return found


def search(request: HttpRequest) -> HttpResponse:
    query = parse(request.GET.get("q", ""))
    number = _page_number(request)
    found = find(query, number)
    context = {
        "query": query,
        "search_text": query.text,
        "page_number": number,
        "results": found.results,
        "has_next": found.has_next,
        "message": found.message,
        "noindex": True,  # results pages stay out of search engines
    }
    return render(request, "search/results.html", context)
