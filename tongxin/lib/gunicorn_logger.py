"""gunicorn's access log without tokens in URLs (scripts/serve.sh passes it as --logger-class)."""

from typing import Any

from gunicorn.glogging import Logger

from tongxin.lib.redact import redact


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
