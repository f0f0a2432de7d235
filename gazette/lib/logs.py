"""Logging helpers for the LOGGING setting.

Django logs every refused request (a `PermissionDenied` turned into a 403) on
"django.request" with the exception's traceback: a dozen lines of Gazette's
internals for something that is no error, repeated by anyone who probes the
desk. `OneLinePermissionDenied` makes each such record one line.
"""

import json
import logging
from datetime import UTC, datetime

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


class JsonLines(logging.Formatter):
    """Each record as one line of JSON: time, level, logger, message, and the
    traceback (if any) as one string, so that a log collector reads one event
    per line whatever the message holds. Chosen by GAZETTE_LOG_FORMAT=json, the
    default when the log does not go to a terminal (under systemd, say)."""

    def format(self, record: logging.LogRecord) -> str:
        event = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            event["stack"] = self.formatStack(record.stack_info)
        return json.dumps(event, ensure_ascii=False)
