"""Redis over TLS with a password: a job's round trip, and clear words when it's wrong.

A throwaway CA and server certificate (the `cryptography` package), a real
`redis-server --tls-port` on loopback with `--requirepass`, and the real
backend connecting through `rediss://:password@…` trusting that CA.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from snapasset_desktop.queue.consumer import EmbeddedConsumer
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.monitor import Monitor
from tests.conftest import write_settings
from tests.helpers.redis_server import free_port, redis_server_binary

pytestmark = pytest.mark.redis

PASSWORD = "correct-horse-battery-staple-7"


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """(ca.pem, server.pem, server.key) for 127.0.0.1, valid for a day."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("SnapAsset test CA"))
        .issuer_name(name("SnapAsset test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.OID_SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


class TlsRedis:
    """redis-server answering only TLS (`--port 0`), with a password, on loopback."""

    def __init__(self) -> None:
        self.binary = redis_server_binary()
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="snapasset-redis-tls-"))
        self.ca, self.cert, self.key = make_certificates(self.dir)
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, password: str = PASSWORD) -> str:
        return f"rediss://:{password}@127.0.0.1:{self.port}/0"

    def __enter__(self) -> TlsRedis:
        command = [
            self.binary,
            "--port", "0",
            "--tls-port", str(self.port),
            "--bind", "127.0.0.1",
            "--tls-cert-file", str(self.cert),
            "--tls-key-file", str(self.key),
            "--tls-ca-cert-file", str(self.ca),
            "--tls-auth-clients", "no",
            "--requirepass", PASSWORD,
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.dir),
            "--loglevel", "warning",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=self.dir
        )
        client = redis.Redis.from_url(self.url(), ssl_ca_certs=str(self.ca), socket_timeout=1)
        deadline = time.monotonic() + 10
        try:
            while True:
                if self.process.poll() is not None:
                    error = self.process.stderr.read().decode() if self.process.stderr else ""
                    if "tls" in error.lower() or "not supported" in error.lower():
                        pytest.skip(f"this redis-server has no TLS: {error.strip()}")
                    raise RuntimeError(f"redis-server exited: {error.strip()}")
                try:
                    if client.ping():
                        return self
                except redis.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server (TLS) did not answer")
                time.sleep(0.02)  # polling a starting process; there is no event to wait on
        finally:
            client.close()

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(5)
            if self.process.stderr:
                self.process.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def tls_redis() -> Iterator[TlsRedis]:
    with TlsRedis() as server:
        yield server


def open_context(monkeypatch: pytest.MonkeyPatch, url: str, ca_file: str) -> AppContext:
    monkeypatch.setenv("SNAPASSET_REDIS_URL", url)
    write_settings(provider="placeholder", sweep_interval=0.3, redis_ca_file=ca_file)
    return AppContext.open()


def test_a_job_round_trips_over_tls_with_a_password(
    tls_redis: TlsRedis, monkeypatch: pytest.MonkeyPatch, isolated_dirs: Path
) -> None:
    ctx = open_context(monkeypatch, tls_redis.url(), str(tls_redis.ca))
    try:
        assert ctx.queue.name == "redis"
        connection = ctx.queue.redis.connection_pool.get_connection()  # type: ignore[union-attr]
        try:
            assert type(connection).__name__ == "SSLConnection"  # really TLS
        finally:
            ctx.queue.redis.connection_pool.release(connection)  # type: ignore[union-attr]
        consumer = EmbeddedConsumer(ctx.queue, concurrency=1)
        consumer.start()
        try:
            job = ctx.jobs.submit(ctx.specs.build("over TLS", ["x-post"]))
            done = ctx.jobs.wait(job.id, timeout=20)
        finally:
            consumer.stop()
        assert done.status == "completed"
        assert len(ctx.library.assets_for_job(job.id)) == 1
        health = Monitor(ctx.queue, ctx.secrets).health()
        assert health.backend_ok and not any("Redis" in p for p in health.problems)
        # The password never reaches the log, even though the URL carried it.
        assert PASSWORD not in ctx.paths.log_file.read_text(encoding="utf-8")
    finally:
        ctx.close()


def test_a_wrong_password_is_named_as_such(
    tls_redis: TlsRedis, monkeypatch: pytest.MonkeyPatch, isolated_dirs: Path
) -> None:
    ctx = open_context(monkeypatch, tls_redis.url("not-the-password"), str(tls_redis.ca))
    try:
        health = Monitor(ctx.queue, ctx.secrets).health()
        assert not health.backend_ok
        (problem,) = [p for p in health.problems if "Redis" in p]
        assert problem == (
            f"Redis at rediss://127.0.0.1:{tls_redis.port}/0 refused the password — check the "
            "password in the Redis address (Settings → Queue)."
        )
        assert "not-the-password" not in problem
    finally:
        ctx.close()


def test_an_untrusted_certificate_is_refused(
    tls_redis: TlsRedis, monkeypatch: pytest.MonkeyPatch, isolated_dirs: Path
) -> None:
    ctx = open_context(monkeypatch, tls_redis.url(), "")  # the system CAs don't know ours
    try:
        health = Monitor(ctx.queue, ctx.secrets).health()
        (problem,) = [p for p in health.problems if "Redis" in p]
        assert "failed the TLS check" in problem
    finally:
        ctx.close()
