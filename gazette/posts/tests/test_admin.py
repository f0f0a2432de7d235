from django.contrib.auth import get_user_model

from gazette.posts.models import Page, Post
from gazette.posts.writing import write_entry
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
                "body_format": "markdown",
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
            "/admin/site/sitesettings/",
            "/admin/images/image/add/",
            "/admin/comments/comment/",
        ):
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 200)


class AdminWritesLikeTheDeskTest(BaseTestCase):
    """The admin's change forms go through the same write functions as the desk."""

    def setUp(self):
        super().setUp()
        self.root = get_user_model().objects.create_superuser("root", "", "pw")
        self.client.force_login(self.root)

    def change_form(self, url: str) -> dict:
        """The admin form's fields as it shows them for the object at `url`."""
        from django.contrib.admin.helpers import AdminForm

        form: AdminForm = self.client.get(url).context["adminform"]
        data = {}
        for name, field in form.form.fields.items():
            value = form.form[name].value()
            if hasattr(field.widget, "decompress"):  # date and time, split
                for i, part in enumerate(field.widget.decompress(value)):
                    data[f"{name}_{i}"] = part if part is not None else ""
            elif isinstance(value, list):
                data[name] = [str(v) for v in value]
            elif value is not None:
                data[name] = value
        return data

    def test_renaming_a_published_post_keeps_its_old_address_and_a_revision(self):
        post = self.make_post("Ridge", body="Up at dawn.", hashtags=("Walks",))
        old_url = post.get_absolute_url()
        url = f"/admin/posts/post/{post.pk}/change/"
        data = self.change_form(url) | {"slug": "ridge-at-dawn", "title": "Ridge"}
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, response.content[:3000])
        post.refresh_from_db()
        self.assertEqual(post.slug, "ridge-at-dawn")
        self.client.logout()
        self.assertRedirects(
            self.client.get(old_url), post.get_absolute_url(), status_code=301
        )
        revision = post.revisions.get()
        self.assertEqual((revision.slug, revision.author), ("ridge-at-dawn", self.root))
        self.assertEqual(revision.hashtags, "Walks")

    def test_renaming_a_published_page_keeps_its_old_address_and_a_revision(self):
        page = write_entry(
            Page(title="About", slug="about", status=Page.Status.PUBLISHED)
        )
        url = f"/admin/posts/page/{page.pk}/change/"
        data = self.change_form(url) | {"slug": "about-us", "body": "Who we are."}
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, response.content[:3000])
        self.client.logout()
        self.assertRedirects(self.client.get("/p/about/"), "/p/about-us/", 301)
        self.assertContains(self.client.get("/p/about-us/"), "Who we are.")
        revision = page.revisions.first()
        assert revision is not None
        self.assertEqual(revision.slug, "about-us")

    def test_an_image_caption_changed_in_the_admin_reaches_the_posts_showing_it(self):
        from django.core.files.base import ContentFile

        from gazette.demo.pictures import hills_at_dawn
        from gazette.images.storing import add_image

        image = add_image(
            ContentFile(hills_at_dawn(), name="hills.jpg"),
            alt_text="Hills",
            caption="Old caption",
            credit="Photo: Rae",
        )
        post = self.make_post("Hills", body=f"Look.\n\n{image.markdown()}\n")
        kept = self.make_post("Own words", body=f'![Mine]({image.file.url} "Mine")')
        self.assertContains(self.client.get(post.get_absolute_url()), "Old caption")
        url = f"/admin/images/image/{image.pk}/change/"
        data = self.change_form(url) | {"caption": "New caption", "credit": "Rae K."}
        data.pop("file", None)
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, response.content[:3000])
        self.client.logout()
        page = self.client.get(post.get_absolute_url())
        self.assertContains(page, "New caption")
        self.assertNotContains(page, "Old caption")
        # A caption the author wrote themself stays; the new credit shows.
        kept_page = self.client.get(kept.get_absolute_url())
        self.assertContains(kept_page, "Mine")
        self.assertContains(kept_page, "Rae K.")
