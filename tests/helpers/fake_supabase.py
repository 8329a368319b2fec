"""A real HTTP server on loopback that implements the Supabase endpoints SnapAsset uses.

Tests drive the official `supabase` client against it, so headers, multipart
uploads, upsert headers, token refresh and error parsing are the client's own.
It checks what a real project (with resources/supabase/schema.sql applied)
would check: the `apikey` header is the anon key; Storage and PostgREST calls
carry `Authorization: Bearer <a live access token of a signed-in user>`;
uploads have an image content type and a path under `<user id>/`; rows are
the caller's (`user_id`), duplicates need `x-upsert` / `resolution=merge-duplicates`.
Scripted failures (`fail`, `delay`, `expire_tokens`) consume matching requests:

    with FakeSupabase() as server:
        user_id = server.add_user("ada@example.com", "pw")
        server.fail("POST /storage/v1/object/", 500)
        ...
        assert server.objects  # {(bucket, path): StoredObject}

Error bodies are the real services' shapes: Auth `{"code", "msg"}` with the API
version header, Storage `{"statusCode", "error", "message"}` (an expired JWT is
HTTP 400 with statusCode "403", as Storage answers), PostgREST `{"code", "message"}`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

JWT_SECRET = b"fake-supabase-jwt-secret"
ALLOWED_MIME = {"image/png", "image/jpeg", "image/webp"}
UNIQUE = {"generations": ("id",), "assets": ("generation_id", "platform", "variant")}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_jwt(claims: dict[str, Any]) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims).encode())
    signature = hmac.new(JWT_SECRET, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def anon_key() -> str:
    return make_jwt({"iss": "supabase", "ref": "fakeproject", "role": "anon", "exp": 4102444800})


def service_role_key() -> str:
    return make_jwt({"iss": "supabase", "ref": "fakeproject", "role": "service_role"})


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    status: int = 0
    user_id: str | None = None


@dataclass
class StoredObject:
    data: bytes
    content_type: str
    owner: str
    cache_control: str | None = None


@dataclass
class _Rule:
    route: str  # "METHOD /path-prefix"
    kind: str  # "fail" or "delay"
    status: int = 0
    body: dict[str, Any] | None = None
    seconds: float = 0.0
    times: int = 1


@dataclass
class _Token:
    user_id: str
    expires_at: float
    expired: bool = False


@dataclass
class FakeUser:
    id: str
    email: str
    password: str
    team: str | None = None


@dataclass
class _State:
    users: dict[str, FakeUser] = field(default_factory=dict)  # by email
    access: dict[str, _Token] = field(default_factory=dict)
    refresh: dict[str, str] = field(default_factory=dict)  # live refresh token -> user id
    used_refresh: set[str] = field(default_factory=set)
    objects: dict[tuple[str, str], StoredObject] = field(default_factory=dict)
    tables: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = field(
        default_factory=lambda: {"generations": {}, "assets": {}}
    )
    buckets: set[str] = field(default_factory=lambda: {"snapasset"})
    rules: list[_Rule] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)


class FakeSupabase:
    def __init__(self, *, access_ttl: int = 3600) -> None:
        self.anon_key = anon_key()
        self.access_ttl = access_ttl
        self.state = _State()
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # -- lifecycle --------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeSupabase:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- set-up and scripting ---------------------------------------------------------

    def add_user(self, email: str, password: str, *, team: str | None = None) -> str:
        user = FakeUser(str(uuid.uuid4()), email, password, team)
        with self.lock:
            self.state.users[email] = user
        return user.id

    def fail(
        self, route: str, status: int, *, body: dict[str, Any] | None = None, times: int = 1
    ) -> None:
        """The next `times` requests whose "METHOD /path" starts with `route` get `status`."""
        with self.lock:
            self.state.rules.append(_Rule(route, "fail", status=status, body=body, times=times))

    def delay(self, route: str, seconds: float, *, times: int = 1) -> None:
        with self.lock:
            self.state.rules.append(_Rule(route, "delay", seconds=seconds, times=times))

    def expire_tokens(self) -> None:
        """Every access token handed out so far is now expired (as if its hour had passed)."""
        with self.lock:
            for token in self.state.access.values():
                token.expired = True

    def drop_bucket(self, name: str) -> None:
        with self.lock:
            self.state.buckets.discard(name)

    # -- what happened ----------------------------------------------------------------

    @property
    def objects(self) -> dict[tuple[str, str], StoredObject]:
        with self.lock:
            return dict(self.state.objects)

    def rows(self, table: str) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(row) for row in self.state.tables[table].values()]

    def requests(self, route: str = "") -> list[Recorded]:
        with self.lock:
            return [r for r in self.state.requests if f"{r.method} {r.path}".startswith(route)]

    def put_object(self, owner: str, path: str, data: bytes, content_type: str) -> None:
        with self.lock:
            self.state.objects[("snapasset", path)] = StoredObject(data, content_type, owner)

    def put_row(self, table: str, row: dict[str, Any]) -> None:
        with self.lock:
            key = tuple(row[c] for c in UNIQUE[table])
            self.state.tables[table][key] = dict(row)

    # -- inside (called by the handler, under no lock) --------------------------------

    def _session(self, user: FakeUser) -> dict[str, Any]:
        now = int(time.time())
        access = make_jwt(
            {
                "sub": user.id,
                "email": user.email,
                "role": "authenticated",
                "aud": "authenticated",
                "exp": now + self.access_ttl,
                "iat": now,
                "session_id": secrets.token_hex(8),
            }
        )
        refresh = secrets.token_urlsafe(12)
        self.state.access[access] = _Token(user.id, now + self.access_ttl)
        self.state.refresh[refresh] = user.id
        return {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": self.access_ttl,
            "expires_at": now + self.access_ttl,
            "refresh_token": refresh,
            "user": self._user_json(user),
        }

    @staticmethod
    def _user_json(user: FakeUser) -> dict[str, Any]:
        return {
            "id": user.id,
            "aud": "authenticated",
            "role": "authenticated",
            "email": user.email,
            "app_metadata": {"provider": "email"},
            "user_metadata": {},
            "created_at": "2026-01-01T00:00:00Z",
        }

    def _user_by_id(self, user_id: str) -> FakeUser | None:
        return next((u for u in self.state.users.values() if u.id == user_id), None)

    def _visible(self, viewer: str, owner: str) -> bool:
        """Own rows and files; a teammate's too when both are in one team (team.sql)."""
        if viewer == owner:
            return True
        a, b = self._user_by_id(viewer), self._user_by_id(owner)
        return bool(a and b and a.team and a.team == b.team)


def _handler_for(server: FakeSupabase) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PUT(self) -> None:
            self._handle("PUT")

        def do_PATCH(self) -> None:
            self._handle("PATCH")

        def do_DELETE(self) -> None:
            self._handle("DELETE")

        # -- plumbing -------------------------------------------------------------------

        def _handle(self, method: str) -> None:
            parts = urlsplit(self.path)
            path = unquote(parts.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            record = Recorded(
                method,
                path,
                parse_qs(parts.query),
                {k.lower(): v for k, v in self.headers.items()},
            )
            self._record = record
            with server.lock:
                server.state.requests.append(record)
                rule = self._rule(f"{method} {path}")
            if rule is not None and rule.kind == "delay":
                time.sleep(rule.seconds)
            try:
                if rule is not None and rule.kind == "fail":
                    self._scripted(path, rule)
                elif self.headers.get("apikey") != server.anon_key:
                    self._json(401, {"message": "Invalid API key", "hint": "apikey header"})
                elif path.startswith("/auth/v1/"):
                    self._auth(method, path[len("/auth/v1/") :], record, body)
                elif path.startswith("/storage/v1/object/"):
                    self._storage(method, path[len("/storage/v1/object/") :], record, body)
                elif path.startswith("/rest/v1/"):
                    self._rest(method, path[len("/rest/v1/") :], record, body)
                else:
                    self._json(404, {"message": "no route"})
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _rule(self, route: str) -> _Rule | None:
            for rule in server.state.rules:
                if route.startswith(rule.route) and rule.times > 0:
                    rule.times -= 1
                    return rule
            return None

        def _scripted(self, path: str, rule: _Rule) -> None:
            if rule.body is not None:
                self._json(rule.status, rule.body)
            elif path.startswith("/storage/"):
                self._json(
                    rule.status,
                    {"statusCode": str(rule.status), "error": "Scripted", "message": "scripted"},
                )
            else:
                self._json(rule.status, {"code": str(rule.status), "message": "scripted"})

        def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = b"" if payload is None else json.dumps(payload).encode()
            self._record.status = status  # before the client can read the answer
            self.send_response(status)
            if payload is not None:
                self.send_header("Content-Type", "application/json")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _bearer_user(self, record: Recorded) -> str | None:
            """The signed-in user of the bearer token; None (and the answer sent) if not."""
            auth = self.headers.get("Authorization", "")
            token = auth.removeprefix("Bearer ").strip()
            with server.lock:
                known = server.state.access.get(token)
            if known is None:
                return "anon" if token == server.anon_key else None
            if known.expired or known.expires_at <= time.time():
                return "expired"
            record.user_id = known.user_id
            return known.user_id

        # -- auth -----------------------------------------------------------------------

        def _auth_error(self, status: int, code: str, message: str) -> None:
            self._json(
                status,
                {"code": code, "error_code": code, "msg": message},
                {"X-Supabase-Api-Version": "2024-01-01"},
            )

        def _auth(self, method: str, route: str, record: Recorded, body: bytes) -> None:
            version = {"X-Supabase-Api-Version": "2024-01-01"}
            if method == "GET" and route == "health":
                self._json(200, {"version": "fake", "name": "GoTrue"})
                return
            if method == "POST" and route == "token":
                grant = record.query.get("grant_type", [""])[0]
                data = json.loads(body or b"{}")
                with server.lock:
                    if grant == "password":
                        user = server.state.users.get(data.get("email", ""))
                        if user is None or user.password != data.get("password"):
                            session = None
                        else:
                            session = server._session(user)
                    elif grant == "refresh_token":
                        token = data.get("refresh_token", "")
                        user_id = server.state.refresh.pop(token, None)
                        server.state.used_refresh.add(token)
                        user = server._user_by_id(user_id) if user_id else None
                        session = server._session(user) if user else None
                    else:
                        session = None
                if session is None and grant == "refresh_token":
                    self._auth_error(400, "refresh_token_not_found", "Invalid Refresh Token")
                elif session is None:
                    self._auth_error(400, "invalid_credentials", "Invalid login credentials")
                else:
                    self._json(200, session, version)
                return
            user_id = self._bearer_user(record)
            if user_id in (None, "anon", "expired"):
                self._auth_error(401, "bad_jwt", "invalid JWT: token is expired or unknown")
                return
            if method == "GET" and route == "user":
                with server.lock:
                    user = server._user_by_id(user_id)
                self._json(200, server._user_json(user), version)  # type: ignore[arg-type]
            elif method == "POST" and route == "logout":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
                with server.lock:
                    server.state.access.pop(token, None)
                self._json(204, None)
            else:
                self._json(404, {"message": "no such auth route"})

        # -- storage --------------------------------------------------------------------

        def _storage_error(self, status: str, error: str, message: str, http: int = 400) -> None:
            self._json(http, {"statusCode": status, "error": error, "message": message})

        def _storage(self, method: str, route: str, record: Recorded, body: bytes) -> None:
            user_id = self._bearer_user(record)
            if user_id == "expired":
                self._storage_error("403", "Unauthorized", "jwt expired")
                return
            if user_id is None:
                self._storage_error("403", "Unauthorized", "invalid signature")
                return
            bucket, _, key = route.partition("/")
            with server.lock:
                bucket_exists = bucket in server.state.buckets
            if not bucket_exists:
                self._storage_error("404", "Bucket not found", "Bucket not found")
                return
            if user_id == "anon":  # RLS: no policy lets the anon role near the bucket
                self._storage_error(
                    "403", "Unauthorized", "new row violates row-level security policy"
                )
                return
            if ".." in key.split("/") or not key:
                self._storage_error("400", "Invalid key", "Invalid key")
                return
            if method in ("POST", "PUT"):
                self._upload(method, bucket, key, user_id, body)
            elif method == "GET":
                with server.lock:
                    stored = server.state.objects.get((bucket, key))
                    visible = stored is not None and server._visible(user_id, stored.owner)
                if not visible:
                    self._storage_error("404", "not_found", "Object not found")
                    return
                assert stored is not None
                self._record.status = 200
                self.send_response(200)
                self.send_header("Content-Type", stored.content_type)
                self.send_header("Content-Length", str(len(stored.data)))
                self.end_headers()
                self.wfile.write(stored.data)
            else:
                self._storage_error("405", "Method not allowed", "Method not allowed")

        def _upload(self, method: str, bucket: str, key: str, user_id: str, body: bytes) -> None:
            if key.split("/", 1)[0] != user_id:  # the policy: (storage.foldername(name))[1]
                self._storage_error(
                    "403", "Unauthorized", "new row violates row-level security policy"
                )
                return
            content_type = self.headers.get("Content-Type", "")
            message = BytesParser(policy=HTTP).parsebytes(
                f"Content-Type: {content_type}\r\n\r\n".encode() + body
            )
            file_part, cache_control = None, None
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if name == "file":
                    file_part = part
                elif name == "cacheControl":
                    cache_control = part.get_content()
            if file_part is None:
                self._storage_error("400", "Bad request", "no file in the form")
                return
            mime = file_part.get_content_type()
            if mime not in ALLOWED_MIME:
                self._storage_error(
                    "415", "invalid_mime_type", f"mime type {mime} is not supported"
                )
                return
            data = file_part.get_payload(decode=True)
            upsert = self.headers.get("x-upsert") == "true"
            with server.lock:
                exists = (bucket, key) in server.state.objects
                if exists and not upsert and method == "POST":
                    conflict = True
                else:
                    conflict = False
                    server.state.objects[(bucket, key)] = StoredObject(
                        data, mime, user_id, cache_control
                    )
            if conflict:
                self._storage_error("409", "Duplicate", "The resource already exists")
                return
            self._json(200, {"Key": f"{bucket}/{key}", "Id": str(uuid.uuid4())})

        # -- rest -----------------------------------------------------------------------

        def _rest(self, method: str, table: str, record: Recorded, body: bytes) -> None:
            user_id = self._bearer_user(record)
            if user_id == "expired":
                self._json(401, {"code": "PGRST303", "message": "JWT expired"})
                return
            if user_id is None:
                self._json(401, {"code": "PGRST301", "message": "JWSError"})
                return
            if table not in UNIQUE:
                self._json(404, {"code": "PGRST205", "message": f"no table {table}"})
                return
            if method == "POST":
                self._insert(table, record, user_id, json.loads(body or b"[]"))
            elif method == "GET":
                self._select(table, record, user_id)
            else:
                self._json(405, {"code": "405", "message": "not here"})

        def _insert(self, table: str, record: Recorded, user_id: str, payload: Any) -> None:
            rows = payload if isinstance(payload, list) else [payload]
            prefer = record.headers.get("prefer", "")
            merge = "resolution=merge-duplicates" in prefer
            conflict_cols = record.query.get("on_conflict", [",".join(UNIQUE[table])])[0]
            if tuple(conflict_cols.split(",")) != UNIQUE[table]:
                self._json(400, {"code": "42P10", "message": "no unique constraint matching"})
                return
            with server.lock:
                rows_of = server.state.tables[table]
                for row in rows:
                    if row.get("user_id") != user_id:  # with check (user_id = auth.uid())
                        return self._json(
                            403, {"code": "42501", "message": "new row violates row-level security"}
                        )
                    key = tuple(row.get(c) for c in UNIQUE[table])
                    old = rows_of.get(key)
                    if old is not None and not merge:
                        return self._json(409, {"code": "23505", "message": "duplicate key"})
                    if old is not None and old.get("user_id") != user_id:
                        return self._json(
                            403, {"code": "42501", "message": "new row violates row-level security"}
                        )
                    if (
                        table == "assets"
                        and (row.get("generation_id"),) not in (server.state.tables["generations"])
                    ):
                        return self._json(
                            409, {"code": "23503", "message": "violates foreign key constraint"}
                        )
                for row in rows:
                    key = tuple(row.get(c) for c in UNIQUE[table])
                    rows_of[key] = {**rows_of.get(key, {}), **row}
            if "return=representation" in prefer:
                self._json(201, rows)
            else:
                self._json(201, None)

        def _select(self, table: str, record: Recorded, user_id: str) -> None:
            reserved = {"select", "order", "limit", "offset"}
            with server.lock:
                rows = [
                    dict(r)
                    for r in server.state.tables[table].values()
                    if server._visible(user_id, r.get("user_id", ""))
                ]
            for column, values in record.query.items():
                if column in reserved:
                    continue
                op, _, value = values[0].partition(".")
                if op == "eq":
                    rows = [r for r in rows if str(r.get(column)) == value]
                elif op == "in":
                    wanted = set(value.strip("()").split(","))
                    rows = [r for r in rows if str(r.get(column)) in wanted]
                else:
                    return self._json(400, {"code": "PGRST100", "message": f"no {op} here"})
            if "order" in record.query:
                column, _, direction = record.query["order"][0].partition(".")
                rows.sort(key=lambda r: str(r.get(column)), reverse=direction.startswith("desc"))
            offset = int(record.query.get("offset", ["0"])[0])
            limit = int(record.query.get("limit", [str(len(rows))])[0])
            self._json(200, rows[offset : offset + limit])

    return Handler
