"""The last prompts a designer sent, kept in a small JSON file next to settings.toml.

Not in settings.toml: it changes on every submit and is content, not configuration.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

HISTORY_LIMIT = 50
FILE_NAME = "prompt_history.json"


class PromptHistory:
    """Newest first, no duplicates, at most HISTORY_LIMIT entries."""

    def __init__(self, path: Path, limit: int = HISTORY_LIMIT) -> None:
        self.path = path
        self.limit = limit
        self._entries = self._load()

    @classmethod
    def in_config_dir(cls, config_dir: Path) -> PromptHistory:
        return cls(config_dir / FILE_NAME)

    def entries(self) -> list[str]:
        return list(self._entries)

    def add(self, prompt: str) -> None:
        text = prompt.strip()
        if not text:
            return
        self._entries = [text, *(e for e in self._entries if e != text)][: self.limit]
        self._save()

    def clear(self) -> None:
        self._entries = []
        self._save()

    def _load(self) -> list[str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.warning("prompt history unreadable; starting afresh", extra={"detail": str(exc)})
            return []
        if not isinstance(data, list):
            return []
        return [e for e in data if isinstance(e, str) and e.strip()][: self.limit]

    def _save(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".json.tmp")
            tmp.write_text(json.dumps(self._entries, ensure_ascii=False, indent=1), "utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:  # history is a convenience: never block a submit over it
            log.warning("prompt history not saved", extra={"detail": str(exc)})
