"""Secrets out of log lines: the case tracking token and the wall display's token travel in URLs
(/track/<code>/<token>/, /screen/<token>/), and query strings may carry a token, key or password.
Used as a logging filter (application, runserver and error logs) and by the gunicorn access logger."""

import logging
import re

MASK = "[redacted]"
_PATTERNS = [
    (re.compile(r"(/track/[^/\s?\"]+/)[^/\s?\"]+"), r"\1" + MASK),
    (re.compile(r"(/screen/)(?!\[redacted\])[^/\s?\"]+"), r"\1" + MASK),
    (re.compile(r"([?&](?:token|key|secret|password|otp)=)[^&\s\"]+", re.IGNORECASE), r"\1" + MASK),
    (re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE), r"\1" + MASK),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrite the record's message with the secrets masked (the arguments are folded in)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
