"""Logs as one JSON object per line, with keys and passwords masked whatever a message contains."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

# Defence in depth: nothing should log a key or a password, but if a message ever does
# (an exception text, a URL), the line that reaches the log has it masked.
_SECRETS = (
    (re.compile(r"sim_[A-Za-z0-9_\-]{6,}"), "sim_***"),
    (re.compile(r"(\w+://[^:/@\s]+:)[^@\s]+@"), r"\1***@"),
    (re.compile(r"(?i)(bearer\s+)\S+"), r"\1***"),
    (re.compile(r"(?i)([?&]token=)[^&\s]+"), r"\1***"),
)
# What each pattern above needs in the text, lower-cased: a line with none of them (nearly every
# request log line) skips the four scans, which cost a twentieth of an order request's CPU.
_SECRET_MARKERS = ("sim_", "://", "bearer", "token=")


def redact(text: str) -> str:
    """`text` with API keys, URL passwords and bearer tokens replaced by ***."""
    lowered = text.lower()
    if not any(marker in lowered for marker in _SECRET_MARKERS):
        return text
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


class JsonFormatter(logging.Formatter):
    """{"at", "level", "logger", "message", ...fields of `extra={"fields": {...}}`, "exception"}."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, default=str))


class _Redacting(logging.Filter):
    """Masks secrets in records that other handlers (pytest's, a developer's) format themselves."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


def configure_logging(level: str) -> None:
    """JSON lines on stderr for the `app` loggers, once per process."""
    logger = logging.getLogger("app")
    logger.setLevel(level)
    if any(getattr(handler, "_inventory", False) for handler in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler._inventory = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.addFilter(_Redacting())
    # The server's own loggers print request lines (uvicorn logs every WebSocket it accepts, with its
    # query string: `?token=<key>`); their records are masked the same way.
    for name in SERVER_LOGGERS:
        server_logger = logging.getLogger(name)
        if not any(isinstance(existing, _Redacting) for existing in server_logger.filters):
            server_logger.addFilter(_Redacting())
    # Records still propagate to the root logger (pytest's caplog, a host's log collection);
    # without handlers of its own the root adds nothing on a plain `inventory serve`.
