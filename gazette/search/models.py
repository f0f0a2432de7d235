from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchDocument(models.Model):
    """The searchable text of one post, kept while the post may be shown.

    On SQLite an FTS5 table (`search_fts`) indexes these rows through triggers made
    by this app's migrations; on PostgreSQL `vector` holds the weighted tsvector,
    under a GIN index. `indexing.py` writes the rows; nothing else should.
    """

    post = models.OneToOneField(
        "posts.Post",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="search_document",
    )
    title = models.TextField()
    tags = models.TextField(blank=True)  # hashtag names, space-separated
    body = models.TextField(blank=True)  # plain text of the rendered body
    vector = SearchVectorField(null=True, editable=False)  # PostgreSQL only

    def __str__(self) -> str:
        return self.title
