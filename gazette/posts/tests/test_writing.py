"""The write path: what each kind of change bumps, indexes, and bulk mode."""

from unittest import mock

from gazette.lib import pagecache
from gazette.lib.pagecache import LISTINGS, SITE
from gazette.posts.effects import bulk_writes, posts_changed
from gazette.posts.models import Page, Post
from gazette.posts.writing import autosave, publish, trash, unpublish, write_entry
from gazette.test import BaseTestCase, committed


class WritesBumpWhatReadersSeeTest(BaseTestCase):
    def bumped_by(self, change) -> set:
        """The versions `change()` bumps once it commits."""
        with mock.patch.object(pagecache, "bump") as bump, committed():
            change()
        return {v for call in bump.call_args_list for v in call.args}

    def test_a_drafts_saves_and_autosaves_bump_nothing(self):
        draft = self.make_post("Draft", status=Post.Status.DRAFT)
        draft.body = "More words."
        self.assertEqual(self.bumped_by(lambda: write_entry(draft)), set())
        draft.body = "Still more."
        self.assertEqual(self.bumped_by(lambda: autosave(draft)), set())

    def test_an_autosave_of_a_published_post_bumps_nothing(self):
        post = self.make_post("Out")
        post.body = "Typing..."
        self.assertEqual(self.bumped_by(lambda: autosave(post)), set())

    def test_publishing_and_unpublishing_bump_the_site_the_listings_and_the_post(self):
        post = self.make_post("Soon", status=Post.Status.DRAFT)
        everything = {SITE, LISTINGS, pagecache.post_version(post.pk)}
        self.assertEqual(self.bumped_by(lambda: publish(post)), everything)
        self.assertEqual(self.bumped_by(lambda: unpublish(post)), everything)

    def test_editing_a_published_posts_text_bumps_only_that_post(self):
        post = self.make_post("Out", hashtags=("Walks",))
        post.body = "Better words."
        self.assertEqual(
            self.bumped_by(lambda: write_entry(post)),
            {pagecache.post_version(post.pk)},
        )

    def test_changing_a_published_posts_hashtags_moves_it_between_listings(self):
        post = self.make_post("Out", hashtags=("Walks",))
        bumped = self.bumped_by(lambda: write_entry(post, ["Bread"]))
        self.assertEqual(bumped, {SITE, LISTINGS, pagecache.post_version(post.pk)})

    def test_a_pages_text_bumps_the_page_and_its_title_the_sidebar(self):
        page = write_entry(Page(title="About", slug="about", status="published"))
        page.body = "Who writes."
        own = pagecache.page_version(page.pk)
        self.assertEqual(self.bumped_by(lambda: write_entry(page)), {own})
        page.title = "About us"
        self.assertEqual(self.bumped_by(lambda: write_entry(page)), {SITE, own})

    def test_trashing_a_published_post_bumps_like_unpublishing(self):
        post = self.make_post("Gone soon")
        bumped = self.bumped_by(lambda: trash(post))
        self.assertEqual(bumped, {SITE, LISTINGS, pagecache.post_version(post.pk)})


class IndexingFollowsVisibleChangesTest(BaseTestCase):
    def heard(self, change) -> list:
        calls = []

        def listen(sender, posts, **kwargs):
            calls.append([p.pk for p in posts])

        posts_changed.connect(listen, dispatch_uid="test-heard")
        try:
            change()
        finally:
            posts_changed.disconnect(dispatch_uid="test-heard")
        return calls

    def test_a_drafts_autosave_is_not_indexed(self):
        draft = self.make_post("Draft", status=Post.Status.DRAFT)
        draft.body = "Typing."
        self.assertEqual(self.heard(lambda: autosave(draft)), [])

    def test_bulk_writes_index_once_and_bump_once_at_the_end(self):
        def write_many():
            with bulk_writes():
                for n in range(5):
                    post = Post(
                        title=f"Imported {n}",
                        slug=f"imported-{n}",
                        body="Old words.",
                        status=Post.Status.PUBLISHED,
                        author=self.alice,
                    )
                    write_entry(post, keep_revision=False)

        with mock.patch.object(pagecache, "bump") as bump, committed():
            heard = self.heard(write_many)
        self.assertEqual(len(heard), 1)
        self.assertEqual(len(heard[0]), 5)
        self.assertEqual(bump.call_count, 1)
        self.assertEqual(len(Post.objects.visible()), 5)
        self.assertContains(self.client.get("/search/?q=old"), "Imported 3")

    def test_a_failed_bulk_write_leaves_nothing_behind(self):
        with self.assertRaises(ValueError), bulk_writes():
            write_entry(
                Post(title="One", slug="one", status="published", author=self.alice)
            )
            raise ValueError("the file ended half-way")
        self.assertFalse(Post.objects.exists())


class SlugsTakenAtomicallyTest(BaseTestCase):
    def test_a_slug_taken_between_the_check_and_the_save_gives_the_next_one(self):
        # Two new drafts both found "untitled" free; the other one saved first.
        self.make_post("Untitled", slug="untitled", status=Post.Status.DRAFT)
        late = Post(title="", slug="untitled", author=self.alice)
        with committed():
            write_entry(late)
        self.assertEqual(late.slug, "untitled-2")
        self.assertEqual(Post.objects.filter(slug__startswith="untitled").count(), 2)
