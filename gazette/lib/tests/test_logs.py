import io
import json
import logging
import sys

from django.test import SimpleTestCase

from gazette.lib.logs import JsonLines, OneLinePermissionDenied
from gazette.test import BaseTestCase, settings_seen_by_gazette


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


class JsonLinesTest(SimpleTestCase):
    def record(self, message: str, exc_info=None) -> logging.LogRecord:
        return logging.LogRecord(
            "gazette.test", logging.ERROR, __file__, 1, message, (), exc_info
        )

    def test_each_event_is_one_line_of_json_traceback_included(self):
        try:
            raise ValueError("bad value\non two lines")
        except ValueError:
            exc_info = sys.exc_info()
        line = JsonLines().format(self.record("Import failed:\nline two", exc_info))
        self.assertNotIn("\n", line)
        event = json.loads(line)
        self.assertEqual(event["level"], "ERROR")
        self.assertEqual(event["logger"], "gazette.test")
        self.assertEqual(event["message"], "Import failed:\nline two")
        self.assertIn("ValueError: bad value", event["exception"])
        self.assertRegex(
            event["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$"
        )

    def test_the_format_is_chosen_by_the_environment(self):
        formatter = "s.LOGGING['handlers']['console']['formatter']"
        for chosen in ("json", "text"):
            seen = settings_seen_by_gazette({"GAZETTE_LOG_FORMAT": chosen}, formatter)
            self.assertEqual(seen, [repr(chosen)])
        with self.assertRaisesRegex(AssertionError, "must be json or text"):
            settings_seen_by_gazette({"GAZETTE_LOG_FORMAT": "xml"}, formatter)
