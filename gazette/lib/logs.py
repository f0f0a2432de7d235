"""Logging helpers for the LOGGING setting.

Django logs every refused request (a `PermissionDenied` turned into a 403) on
"django.request" with the exception's traceback: a dozen lines of Gazette's
internals for something that is no error, repeated by anyone who probes the
desk. `OneLinePermissionDenied` makes each such record one line.
"""

import logging

from django.core.exceptions import PermissionDenied


class OneLinePermissionDenied(logging.Filter):
    """A record of a PermissionDenied as one line, with no traceback: the
    message, then the reason the view gave, on the same line."""

    def filter(self, record: logging.LogRecord) -> bool:
        exception = record.exc_info[1] if record.exc_info else None
        if isinstance(exception, PermissionDenied):
            line = record.getMessage()
            if reason := str(exception):
                # Escaped like Django escapes the path: no line breaks get in.
                line += f" ({reason.encode('unicode_escape').decode('ascii')})"
            record.msg, record.args = line, ()
            record.exc_info, record.exc_text = None, None
        return True
