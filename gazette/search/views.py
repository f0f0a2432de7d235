"""The search results page."""

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString

from gazette.posts.models import Hashtag, Post
from gazette.search.backends import get_backend, marked
from gazette.search.query import parse

PER_PAGE = 10
# Deep pages cost the engines more and help no one; past this the answer is 404.
MAX_PAGE = 50


@dataclass
class Result:
    post: Post
    title: SafeString
    snippet: SafeString


def _page_number(request: HttpRequest) -> int:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError as error:
        raise Http404("No such page.") from error
    if not 1 <= number <= MAX_PAGE:
        raise Http404("No such page.")
    return number


def _posts_in_order(ids: list[int]) -> dict[int, Post]:
    return Post.objects.visible().for_listing().in_bulk(ids)


def search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    query = parse(text)
    number = _page_number(request)
    offset = (number - 1) * PER_PAGE
    context = {"query": query, "search_text": query.text, "page_number": number}
    if not query.text:
        context["message"] = 'Type a word or two, a "quoted phrase" or a #hashtag.'
        return render(request, "search/results.html", context)
    if query.is_empty:
        context["message"] = (
            "There is nothing to search for in that: try a word or two."
        )
        return render(request, "search/results.html", context)

    hashtags = {h.key: h for h in Hashtag.objects.filter(key__in=query.hashtag_keys)}
    missing = [n for n in query.hashtags if Hashtag.make_key(n) not in hashtags]
    if missing:
        context["message"] = f"No posts have the hashtag #{missing[0]}."
        return render(request, "search/results.html", context)
    hashtag_ids = [h.pk for h in hashtags.values()]

    if query.has_terms:
        hits = get_backend().search(query, hashtag_ids, offset, PER_PAGE + 1)
        posts = _posts_in_order([hit.post_id for hit in hits])
        results = [
            Result(posts[hit.post_id], marked(hit.title), marked(hit.snippet))
            for hit in hits
            if hit.post_id in posts
        ]
    else:
        # Only hashtags: their posts, newest first.
        listing = Post.objects.visible()
        for hashtag_id in hashtag_ids:
            listing = listing.filter(hashtags=hashtag_id)
        page = listing.for_listing()[offset : offset + PER_PAGE + 1]
        results = [
            Result(post, escape(post.title), escape(post.summary)) for post in page
        ]

    context["has_next"] = len(results) > PER_PAGE
    context["results"] = results[:PER_PAGE]
    if not results:
        context["message"] = (
            "No more results." if number > 1 else f"No posts match “{query.text}”."
        )
    return render(request, "search/results.html", context)
