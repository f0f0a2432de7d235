import io
import logging
import sys

from gazette.lib.logs import OneLinePermissionDenied
from gazette.test import BaseTestCase


class OneLinePermissionDeniedTest(BaseTestCase):
    def log_of(self, path: str, *, configured: bool) -> str:
        """What a plain stream handler on "django.request" writes for `path`,
        with the logger as settings.LOGGING configures it, or without its
        filters."""
        out = io.StringIO()
        handler = logging.StreamHandler(out)
        logger = logging.getLogger("django.request")
        filters = list(logger.filters)
        if not configured:
            logger.filters.clear()
        logger.addHandler(handler)
        try:
            response = self.client.get(path)
        finally:
            logger.removeHandler(handler)
            logger.filters[:] = filters
        self.assertEqual(response.status_code, 403)
        return out.getvalue()

    def test_a_refused_request_is_logged_as_one_line(self):
        self.client.force_login(self.bob)  # a contributor may not moderate
        self.assertIn("Traceback", self.log_of("/desk/comments/", configured=False))
        log = self.log_of("/desk/comments/", configured=True)
        self.assertEqual(
            log,
            "Forbidden (Permission denied): /desk/comments/ "
            "(Only authors and admins moderate comments.)\n",
        )

    def test_other_records_are_left_alone(self):
        try:
            raise ValueError("boom")
        except ValueError:
            record = logging.LogRecord(
                "x", logging.ERROR, __file__, 1, "failed: %s", ("it",), None
            )
            record.exc_info = sys.exc_info()
        self.assertTrue(OneLinePermissionDenied().filter(record))
        self.assertEqual(record.getMessage(), "failed: it")
        self.assertIsNotNone(record.exc_info)
