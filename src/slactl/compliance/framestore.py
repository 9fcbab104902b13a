"""An in-memory store of already normalised data frames, for computing from pandas directly.

It offers the read side of `slactl.store.Store` (`read`, `manifest`, `ensure_ingested`), so
`compute_compliance(..., store=FrameStore({...}))` works without ingesting files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd


@dataclass
class _NoIngest:
    def findings(self) -> list[Any]:
        return []


@dataclass
class FrameStore:
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)

    def read(self, source_id: str, start: datetime | None = None, end: datetime | None = None) -> pd.DataFrame:
        return self.frames.get(source_id, pd.DataFrame()).copy()

    def manifest(self) -> dict[str, Any]:
        return {"files": {f"<memory>/{sid}": {"source": sid} for sid in self.frames}}

    def ensure_ingested(self, *args: Any, **kwargs: Any) -> _NoIngest:
        return _NoIngest()
