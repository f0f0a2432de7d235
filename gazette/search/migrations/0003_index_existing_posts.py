"""Index the posts that existed before search did.

Historical models only, so this keeps working as the posts app changes. On
PostgreSQL it uses the English or the simple configuration; `gazette
rebuild_search_index` picks the exact one for the blog's language.
"""

import re
import unicodedata
from html import unescape

from django.db import migrations
from django.utils.html import strip_tags


def _plain(html):
    html = re.sub(r"</(p|li|h[1-6]|blockquote|pre|td|th|figcaption)>", r"</\1> ", html)
    text = unicodedata.normalize("NFC", unescape(strip_tags(html)))
    return re.sub(r"\s+", " ", text.replace("\ue000", "").replace("\ue001", "")).strip()


def index_posts(apps, schema_editor):
    Post = apps.get_model("posts", "Post")
    SiteSettings = apps.get_model("posts", "SiteSettings")
    SearchDocument = apps.get_model("search", "SearchDocument")
    alias = schema_editor.connection.alias
    posts = (
        Post.objects.using(alias)
        .exclude(status="draft")
        .filter(published_at__isnull=False, trashed_at__isnull=True)
        .prefetch_related("hashtags")
    )
    SearchDocument.objects.using(alias).bulk_create(
        [
            SearchDocument(
                post_id=post.pk,
                title=unicodedata.normalize("NFC", post.title),
                tags=" ".join(h.name for h in post.hashtags.all()),
                body=_plain(post.body_html),
            )
            for post in posts.iterator(chunk_size=500)
        ],
        batch_size=500,
    )
    if schema_editor.connection.vendor != "postgresql":
        return
    site = SiteSettings.objects.using(alias).filter(pk=1).first()
    english = site is None or site.language.lower().startswith("en")
    base = "english" if english else "simple"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [f"gazette_{base}"])
        config = f"gazette_{base}" if cursor.fetchone() else base
        cursor.execute(
            "INSERT INTO search_searchterms (document_id, vector) "
            "SELECT post_id, setweight(to_tsvector(%s::regconfig, title), 'A') || "
            "setweight(to_tsvector(%s::regconfig, tags), 'B') || "
            "setweight(to_tsvector(%s::regconfig, body), 'D') "
            "FROM search_searchdocument",
            [config, config, config],
        )


class Migration(migrations.Migration):
    dependencies = [("search", "0002_full_text_engines"), ("posts", "0002_comment_policy_revisions_old_addresses")]

    operations = [migrations.RunPython(index_posts, migrations.RunPython.noop)]
