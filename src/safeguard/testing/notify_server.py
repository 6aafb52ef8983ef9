"""A small GOV.UK Notify, served over real HTTP on a loopback port, for the tests of sending
email (:mod:`safeguard.notifications`). Tests cannot reach Notify, and a mock of the client
would test nothing of the HTTP, the token or the request body.

It answers the part of Notify's API v2 that the official client
(``notifications-python-client``) uses to send an email, as Notify does:

- ``POST /v2/notifications/email``, with the client's ``Authorization: Bearer`` JSON Web
  Token. The token is checked as Notify checks it: HS256 only, its ``iss`` the service id
  and its signature made with the secret key (both read from the API key,
  ``{key name}-{service id}-{secret key}``), its ``iat`` within 30 seconds of now. A missing
  or non-Bearer header answers 401; a bad token 403.
- The body must be a JSON object with ``email_address`` (an email address), ``template_id``
  (a UUID of one of the server's templates), and optionally ``personalisation`` (an object
  holding every placeholder of the template), ``reference`` (a string),
  ``email_reply_to_id`` (a UUID), ``one_click_unsubscribe_url``. A bad one answers 400.
- Success answers 201 with Notify's documented response: ``id``, ``reference``,
  ``content`` (``subject``, ``body`` with the placeholders filled in, ``from_email``,
  ``one_click_unsubscribe_url``), ``uri``, ``template`` (``id``, ``version``, ``uri``) and
  ``scheduled_for``.
- Errors are Notify's: ``{"status_code": N, "errors": [{"error": "...", "message": "..."}]}``.

Everything it receives is kept in :attr:`NotifyServer.received` (the raw body as well as
the parsed one, so a test can look for what must not be there). :attr:`NotifyServer.fail_next`
makes the next requests fail with a status of the test's choosing (a 500, a 503, a 429).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import jwt

from safeguard.testing.loopback import serving

SERVICE_ID = "6f1b6ab1-8c8a-4d0e-9d77-4b0c8f6a2e10"
SECRET_KEY = "2a0b3f8e-7c1d-4e5f-a6b7-c8d9e0f1a2b3"  # noqa: S105 - a test server's, on loopback
FROM_EMAIL = "safeguard@notifications.service.gov.uk"
#: Notify's limit on a token's ``iat``, either side of its clock.
CLOCK_SKEW = 30

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Notify's own check is stricter (notifications-utils); this one refuses what is plainly not
# an address.
_EMAIL = re.compile(r"[^\s@\"(),:;<>\[\]\\]+@([a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}")
_PLACEHOLDER = re.compile(r"\(\(([^()]+)\)\)")

#: The errors a test may ask for with :attr:`NotifyServer.fail_next`.
FAILURES = {
    429: ("RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 "
                            "seconds"),
    500: ("Exception", "Internal server error"),
    503: ("Exception", "Service unavailable"),
}


@dataclass(frozen=True)
class Template:
    id: str
    subject: str
    body: str
    version: int = 1

    @property
    def placeholders(self) -> list[str]:
        return list(dict.fromkeys(_PLACEHOLDER.findall(self.subject + self.body)))

    def fill(self, text: str, values: dict[str, Any]) -> str:
        return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


@dataclass(frozen=True)
class Received:
    """One request as the server received it, and what it answered."""

    method: str
    path: str
    headers: dict[str, str]
    raw: str
    body: Any
    status: int
    answer: dict[str, Any]


class _Refused(Exception):
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message

    def problem(self) -> dict[str, Any]:
        return {"status_code": self.status,
                "errors": [{"error": self.error, "message": self.message}]}


@dataclass
class NotifyServer:
    base_url: str
    service_id: str = SERVICE_ID
    secret_key: str = SECRET_KEY
    templates: dict[str, Template] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def api_key(self) -> str:
        return f"safeguard_tests-{self.service_id}-{self.secret_key}"

    def add_template(self, subject: str, body: str) -> str:
        template = Template(str(uuid.uuid4()), subject, body)
        self.templates[template.id] = template
        return template.id

    @property
    def emails(self) -> list[Received]:
        """The emails Notify took (answered 201)."""
        return [r for r in self.received if r.status == 201]

    # ---- the API -------------------------------------------------------------------------

    def check_token(self, authorization: str) -> None:
        if not authorization:
            raise _Refused(401, "AuthError",
                           "Unauthorized, authentication token must be provided")
        if authorization[:7].title() != "Bearer ":
            raise _Refused(401, "AuthError",
                           "Unauthorized, authentication bearer scheme must be used")
        token = authorization[7:]
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise _Refused(403, "AuthError", "Invalid token: signature, api token is not "
                                             "valid") from None
        if header.get("alg") != "HS256":
            raise _Refused(403, "AuthError", "Invalid token: algorithm used is not HS256")
        if "iss" not in claims:
            raise _Refused(403, "AuthError", "Invalid token: iss field not provided")
        if claims["iss"] != self.service_id:
            raise _Refused(403, "AuthError", "Invalid token: service not found")
        try:
            jwt.decode(token, key=self.secret_key, algorithms=["HS256"],
                       options={"verify_iat": False, "require": ["iss", "iat"]})
        except jwt.MissingRequiredClaimError:
            raise _Refused(403, "AuthError", "Invalid token: iat field not provided") from None
        except jwt.PyJWTError:
            raise _Refused(403, "AuthError", "Invalid token: signature, api token is not "
                                             "valid") from None
        iat = claims.get("iat")
        if not isinstance(iat, int) or abs(time.time() - iat) > CLOCK_SKEW:
            raise _Refused(403, "AuthError", "Error: Your system clock must be accurate to "
                                             "within 30 seconds")

    def post_email(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise _Refused(400, "BadRequestError", "Invalid JSON supplied in POST data")
        errors = []
        for name in ("email_address", "template_id"):
            if name not in body:
                errors.append(f"{name} is a required property")
        address = body.get("email_address")
        if address is not None and not (isinstance(address, str)
                                        and _EMAIL.fullmatch(address)):
            errors.append("email_address Not a valid email address")
        for name in ("template_id", "email_reply_to_id"):
            value = body.get(name)
            if value is not None and not (isinstance(value, str) and _UUID.fullmatch(value)):
                errors.append(f"{name} is not a valid UUID")
        personalisation = body.get("personalisation", {})
        if not isinstance(personalisation, dict):
            errors.append("personalisation should contain key value pairs")
        reference = body.get("reference")
        if reference is not None and not isinstance(reference, str):
            errors.append(f"reference {reference!r} is not of type 'string'")
        if errors:
            raise _Refused(400, "ValidationError", "; ".join(errors))
        template = self.templates.get(body["template_id"])
        if template is None:
            raise _Refused(400, "BadRequestError", "Template not found")
        missing = [p for p in template.placeholders if p not in personalisation]
        if missing:
            raise _Refused(400, "BadRequestError",
                           f"Missing personalisation: {', '.join(missing)}")
        notification_id = str(uuid.uuid4())
        return {
            "id": notification_id,
            "reference": reference,
            "content": {
                "subject": template.fill(template.subject, personalisation),
                "body": template.fill(template.body, personalisation),
                "from_email": FROM_EMAIL,
                "one_click_unsubscribe_url": body.get("one_click_unsubscribe_url"),
            },
            "uri": f"{self.base_url}/v2/notifications/{notification_id}",
            "template": {"id": template.id, "version": template.version,
                         "uri": f"{self.base_url}/v2/template/{template.id}"},
            "scheduled_for": None,
        }

    def answer(self, method: str, path: str, headers: dict[str, str], raw: bytes
               ) -> tuple[int, dict[str, Any]]:
        text = raw.decode("utf-8", errors="replace")
        body: Any = None
        try:
            if method != "POST" or path != "/v2/notifications/email":
                raise _Refused(404, "NotFound" if method == "POST" else "MethodNotAllowed",
                               "The requested URL was not found on the server.")
            self.check_token(headers.get("authorization", ""))
            try:
                body = json.loads(text)
            except ValueError:
                raise _Refused(400, "BadRequestError",
                               "Invalid JSON supplied in POST data") from None
            with self._lock:
                failure = self.fail_next.pop(0) if self.fail_next else None
            if failure is not None:
                error, message = FAILURES.get(failure, ("Exception", "Internal server error"))
                raise _Refused(failure, error, message)
            status, answer = 201, self.post_email(body)
        except _Refused as refused:
            status, answer = refused.status, refused.problem()
        with self._lock:
            self.received.append(Received(method, path, headers, text, body, status, answer))
        return status, answer


def _handler(server: NotifyServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the signature
            return  # quiet: the tests read server.received

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, answer = server.answer(self.command, self.path.split("?")[0], headers, raw)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            self._serve()

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self._serve()

    return Handler


@contextmanager
def running_notify_server() -> Iterator[NotifyServer]:
    """A Notify served on a free loopback port for the duration of the block."""
    with serving(lambda url: NotifyServer(base_url=url), _handler, name="notify-server") as it:
        yield it
