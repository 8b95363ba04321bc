"""Local stand-ins for the other side, each a small http.server in a thread that checks what
Tongxin sends the way the real service documents it:

- a 12345 platform's callback: Tongxin's own HMAC scheme (docs/api.md, "Integrations");
- 企业微信 group robot: POST /cgi-bin/webhook/send?key=…, JSON {"msgtype":"markdown",
  "markdown":{"content":…}}, content at most 4,096 bytes; answers {"errcode":0,"errmsg":"ok"};
- 钉钉 custom robot with 加签: POST /robot/send?access_token=…&timestamp=…&sign=…, where sign is
  urlencode(base64(HMAC-SHA256(secret, timestamp + "\\n" + secret))) and the timestamp (ms) is
  within an hour; JSON {"msgtype":"markdown","markdown":{"title":…,"text":…}}.
"""

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FakeServer:
    """Serves on a fixed port; `stop()` and `start()` again make it go down and come back."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.received: list[dict[str, Any]] = []
        self.refused: list[str] = []
        self.server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(
        self, path: str, query: dict[str, str], headers: Any, body: bytes
    ) -> tuple[int, dict[str, Any]]:
        raise NotImplementedError

    def start(self) -> "FakeServer":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                status, answer = fake.answer(parts.path, query, self.headers, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


class FakeHotline(FakeServer):
    """A 12345 platform's callback: checks Tongxin's signature and acknowledges with 200."""

    def __init__(self, secret: str, port: int | None = None) -> None:
        super().__init__(port)
        self.secret = secret
        self.failing = False  # answer 503 (up, but not acknowledging)

    def answer(
        self, path: str, query: dict[str, str], headers: Any, body: bytes
    ) -> tuple[int, dict[str, Any]]:
        stamp = headers.get("X-Tongxin-Timestamp", "")
        expected = hmac.new(self.secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, headers.get("X-Tongxin-Signature", "")):
            self.refused.append("signature")
            return 401, {"code": "bad_signature"}
        if abs(time.time() - int(stamp)) > 300:
            self.refused.append("stale")
            return 401, {"code": "stale"}
        if self.failing:
            return 503, {"code": "busy"}
        self.received.append(json.loads(body))
        return 200, {"code": 0, "message": "received"}


class FakeWeCom(FakeServer):
    KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"

    def __init__(self, port: int | None = None) -> None:
        super().__init__(port)
        self.errcode = 0

    @property
    def webhook(self) -> str:
        return f"{self.base}/cgi-bin/webhook/send?key={self.KEY}"

    def answer(
        self, path: str, query: dict[str, str], headers: Any, body: bytes
    ) -> tuple[int, dict[str, Any]]:
        if path != "/cgi-bin/webhook/send" or query.get("key") != self.KEY:
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
        if not headers.get("Content-Type", "").startswith("application/json"):
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        data = json.loads(body)
        content = data.get("markdown", {}).get("content")
        if data.get("msgtype") != "markdown" or not isinstance(content, str) or not content:
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        if len(content.encode()) > 4096:
            return 200, {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
        if self.errcode:
            return 200, {"errcode": self.errcode, "errmsg": "api freq out of limit"}
        self.received.append(data)
        return 200, {"errcode": 0, "errmsg": "ok"}


class FakeDingTalk(FakeServer):
    TOKEN = "c3f8a0f5e1d24b2c9d7e"
    SECRET = "SEC4f2b6c1e9d8a7b3c5e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d"

    @property
    def webhook(self) -> str:
        return f"{self.base}/robot/send?access_token={self.TOKEN}"

    def answer(
        self, path: str, query: dict[str, str], headers: Any, body: bytes
    ) -> tuple[int, dict[str, Any]]:
        if path != "/robot/send" or query.get("access_token") != self.TOKEN:
            return 200, {"errcode": 300001, "errmsg": "token is not exist"}
        stamp = query.get("timestamp", "")
        # parse_qs has already URL-decoded the sign: compare with the plain base64
        digest = hmac.new(self.SECRET.encode(), f"{stamp}\n{self.SECRET}".encode(), hashlib.sha256).digest()
        if not stamp.isdigit() or abs(time.time() * 1000 - int(stamp)) > 3600 * 1000:
            self.refused.append("timestamp")
            return 200, {"errcode": 310000, "errmsg": "invalid timestamp"}
        if not hmac.compare_digest(base64.b64encode(digest).decode(), query.get("sign", "")):
            self.refused.append("sign")
            return 200, {"errcode": 310000, "errmsg": "sign not match"}
        data = json.loads(body)
        markdown = data.get("markdown", {})
        if data.get("msgtype") != "markdown" or not markdown.get("title") or not markdown.get("text"):
            return 200, {"errcode": 40035, "errmsg": "缺少参数 markdown"}
        self.received.append(data)
        return 200, {"errcode": 0, "errmsg": "ok"}
