from io import StringIO

from django.core.management import call_command

from gazette.comments.models import Comment
from gazette.images.models import Image
from gazette.posts.models import Page, Post
from gazette.test import BaseTestCase


class DemoTest(BaseTestCase):
    def test_it_creates_a_whole_demo_blog_once(self):
        out = StringIO()
        call_command("demo", stdout=out)
        self.assertIn("Demo blog created", out.getvalue())
        posts = Post.objects.visible()
        self.assertGreaterEqual(posts.count(), 6)
        months = {(p.published_at.year, p.published_at.month) for p in posts}
        self.assertGreaterEqual(len(months), 2)
        for post in posts:
            self.assertTrue(1 <= post.hashtags.count() <= 3, post.title)
        self.assertGreaterEqual(
            posts.filter(body_html__contains="<figcaption>").count(), 2
        )
        self.assertTrue(posts.filter(body_html__contains="<blockquote>").exists())
        self.assertTrue(Page.objects.visible().filter(slug="about").exists())
        self.assertTrue(
            Comment.objects.approved().filter(parent__isnull=False).exists()
        )
        self.assertTrue(all(image.renditions for image in Image.objects.all()))

        counts = (Post.objects.count(), Comment.objects.count(), Image.objects.count())
        again = StringIO()
        call_command("demo", stdout=again)
        self.assertIn("already there", again.getvalue())
        self.assertEqual(
            (Post.objects.count(), Comment.objects.count(), Image.objects.count()),
            counts,
        )

    def test_if_empty_leaves_an_existing_blog_alone(self):
        self.make_post("Mine")
        call_command("demo", "--if-empty", stdout=StringIO())
        self.assertEqual(list(Post.objects.values_list("title", flat=True)), ["Mine"])

    def test_the_demo_pages_render(self):
        call_command("demo", stdout=StringIO())
        self.assertContains(self.client.get("/"), "Welcome to the notebook")
        post = Post.objects.get(slug="ridge-walk")
        response = self.client.get(post.get_absolute_url())
        self.assertContains(response, "First light over the western ridges")
        self.assertContains(response, "srcset=")
        self.assertContains(response, "4 comments")
