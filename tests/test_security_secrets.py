"""A known OpenAI key never lands on disk: not in the log, the library, exports or dialogs.

The key is deliberately not `sk-…`-shaped, so only the registered-secret
masking (not the pattern) can catch it. A failing job (the server echoes the
key in its 401), a succeeding one, a ZIP and a folder export with manifests
and an error dialog's text — then every byte under the data, config and log
dirs (inside ZIPs too) is searched.
"""

from __future__ import annotations

import logging
import secrets
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from snapasset_desktop.library.export import Exporter, ExportOptions
from snapasset_desktop.secrets import OPENAI_KEY
from snapasset_desktop.services.context import AppContext
from tests.conftest import write_settings
from tests.helpers.fake_openai import FakeOpenAIServer

KEY = f"proj-key-{secrets.token_hex(16)}"


def files_under(*folders: Path) -> Iterator[tuple[str, bytes]]:
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if not path.is_file():
                continue
            data = path.read_bytes()
            yield str(path), data
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    for member in archive.namelist():
                        yield f"{path}!{member}", archive.read(member)


def test_the_key_appears_in_no_file_and_no_dialog(
    fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch, isolated_dirs: Path, qtbot
) -> None:
    from snapasset_desktop.ui.errors import ErrorReporter

    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    write_settings(provider="openai", openai_base_url=fake_openai.base_url, partial_images=1)
    ctx = AppContext.open()
    try:
        ctx.secrets.set(OPENAI_KEY, KEY)  # no keyring in tests: a session secret
        request = ctx.specs.build("a fox in the snow", ["x-post", "instagram-story"])

        fake_openai.api_key = "the-server-expects-another-key"  # so it echoes ours in a 401
        failing = ctx.jobs.submit(request)
        assert ctx.queue.executor.execute(failing.id) == "failed"
        assert ctx.jobs.get(failing.id).error_kind == "auth"
        assert fake_openai.requests[-1].headers["authorization"] == f"Bearer {KEY}"  # really sent

        fake_openai.api_key = KEY
        working = ctx.jobs.submit(request)
        assert ctx.queue.executor.execute(working.id) == "completed"
        assets = ctx.library.assets_for_job(working.id)
        assert assets

        exporter = Exporter(ctx.library)
        exports = ctx.paths.data_dir / "exports"
        exporter.export(assets, ExportOptions(exports / "out.zip", as_zip=True, manifest="json"))
        exporter.export(assets, ExportOptions(exports / "folder", manifest="csv"))

        logging.getLogger("snapasset_desktop.test").warning("the key is %s", KEY)
        try:
            raise RuntimeError(f"a library echoed the key {KEY}")
        except RuntimeError:
            reporter = ErrorReporter()
            reporter.report.disconnect(reporter._show)  # no modal dialog in a test
            shown: list[str] = []
            reporter.report.connect(lambda summary, details: shown.append(summary + details))
            reporter.handle(*sys.exc_info())  # type: ignore[arg-type]
        assert shown and "a library echoed the key" in shown[0] and KEY not in shown[0]
    finally:
        ctx.close()
    for handler in logging.getLogger("snapasset_desktop").handlers:
        handler.flush()

    searched = list(files_under(ctx.paths.data_dir, ctx.paths.config_dir, ctx.paths.log_dir))
    names = {Path(name.split("!")[0]).name for name, _ in searched}
    assert {"library.db", "settings.toml", "snapasset.jsonl", "out.zip"} <= names
    assert any(name.endswith("!manifest.json") for name, _ in searched)
    log_text = ctx.paths.log_file.read_text(encoding="utf-8")
    assert "the key is [redacted]" in log_text  # the log line is there, masked
    leaks = [name for name, data in searched if KEY.encode() in data]
    assert leaks == []
