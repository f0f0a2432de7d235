from django.contrib.auth import get_user_model

from gazette.posts.models import Post
from gazette.test import BaseTestCase


class AdminTest(BaseTestCase):
    def test_a_post_saved_in_the_admin_is_rendered_and_sanitised(self):
        admin = get_user_model().objects.create_superuser("root", "", "pw")
        self.client.force_login(admin)
        response = self.client.post(
            "/admin/posts/post/add/",
            {
                "title": "From the admin",
                "slug": "from-the-admin",
                "body": "Hello #Admin <script>x()</script>",
                "excerpt": "",
                "status": "published",
                "published_at_0": "2024-01-02",
                "published_at_1": "10:00:00",
                "updated_at_0": "2024-01-02",
                "updated_at_1": "10:00:00",
                "author": admin.pk,
            },
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        post = Post.objects.get(slug="from-the-admin")
        self.assertIn('href="/hashtag/Admin/"', post.body_html)
        self.assertNotIn("<script", post.body_html)
        self.assertEqual(list(post.hashtags.values_list("name", flat=True)), ["Admin"])
        self.assertContains(self.client.get(post.get_absolute_url()), "From the admin")

    def test_the_admin_pages_open(self):
        admin = get_user_model().objects.create_superuser("root", "", "pw")
        self.client.force_login(admin)
        self.make_post("Listed")
        for path in (
            "/admin/",
            "/admin/posts/post/",
            "/admin/posts/sitesettings/",
            "/admin/images/image/add/",
            "/admin/comments/comment/",
        ):
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 200)
