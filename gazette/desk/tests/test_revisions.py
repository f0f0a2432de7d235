from gazette.desk.tests.base import DeskTestCase, post_form
from gazette.posts.models import Post


class RevisionTest(DeskTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.alice)
        self.client.post("/desk/posts/new/", post_form(body="One\nTwo\nThree"))
        self.post = Post.objects.get()
        self.editor = f"/desk/posts/{self.post.pk}/"
        self.edit(body="One\n<script>alert(2)</script>\nThree")

    def edit(self, **fields):
        data = post_form(slug=self.post.slug, slug_auto="False") | fields
        self.client.post(self.editor, data)

    def test_every_save_keeps_a_revision(self):
        self.edit(title="Third save")
        bodies = list(self.post.revisions.values_list("title", flat=True))
        self.assertEqual(
            bodies, ["Third save", "A walk on the ridge", "A walk on the ridge"]
        )

    def test_it_shows_the_escaped_differences_between_any_two(self):
        newer, older = self.post.revisions.all()
        url = f"{self.editor}revisions/?a={older.pk}&b={newer.pk}"
        response = self.client.get(url)
        self.assertContains(
            response,
            '<span class="diff-removed">-Two</span>'
            '<span class="diff-added">+&lt;script&gt;alert(2)&lt;/script&gt;</span>',
        )
        self.assertNotContains(response, "<script>alert")
        # The same pair, the other way round, reads the same.
        swapped = self.client.get(f"{self.editor}revisions/?a={newer.pk}&b={older.pk}")
        self.assertEqual(swapped.context["changes"], response.context["changes"])

    def test_restoring_is_a_save_with_a_revision_of_its_own(self):
        older = self.post.revisions.last()
        assert older is not None
        response = self.client.post(f"/desk/revisions/{older.pk}/restore/")
        self.assertRedirects(response, self.editor, fetch_redirect_response=False)
        self.post.refresh_from_db()
        self.assertEqual(self.post.body, "One\nTwo\nThree")
        self.assertEqual(self.post.revisions.count(), 3)
        newest = self.post.revisions.first()
        assert newest is not None
        self.assertEqual(newest.body, "One\nTwo\nThree")

    def test_a_restored_slug_taken_since_is_left_alone(self):
        self.edit(slug="renamed")
        self.make_post("Squatter", slug="a-walk-on-the-ridge")
        first = self.post.revisions.last()
        assert first is not None
        self.client.post(f"/desk/revisions/{first.pk}/restore/")
        self.post.refresh_from_db()
        self.assertEqual(self.post.slug, "renamed")

    def test_a_contributor_cannot_restore_into_a_published_post(self):
        post = self.make_post("Bob's, published", author=self.bob, body="Live")
        revision = post.revisions.create(title="x", slug="x", body="Vandalised")
        self.client.force_login(self.bob)
        response = self.client.post(f"/desk/revisions/{revision.pk}/restore/")
        self.assertEqual(response.status_code, 403)
        post.refresh_from_db()
        self.assertEqual(post.body, "Live")
