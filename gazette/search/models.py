from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchDocument(models.Model):
    """The searchable text of one post, kept while the post is or will be public.

    On SQLite an FTS5 table (`search_fts`) indexes these rows, fed by triggers made
    in this app's migrations. `indexing.py` writes the rows; nothing else should.
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

    def __str__(self) -> str:
        return self.title


class SearchTerms(models.Model):
    """PostgreSQL only: a document's weighted tsvector, under a GIN index.

    A table of its own, apart from the text: ranking reads the vector of every
    match, and narrow rows keep that read small enough to stay in memory.
    """

    document = models.OneToOneField(
        SearchDocument, primary_key=True, on_delete=models.CASCADE, related_name="terms"
    )
    vector = SearchVectorField()

    class Meta:
        verbose_name_plural = "search terms"

    def __str__(self) -> str:
        return f"Terms of post {self.pk}"
