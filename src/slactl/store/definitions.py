"""Loading only what an ingest needs: the definition files that declare DataSources or Services."""

from __future__ import annotations

import re
from pathlib import Path

from slactl.loader import LoadResult, RepositoryConfig, find_definition_files, load_paths
from slactl.loader.documents import MAX_FILE_BYTES

# a document of one of these kinds says so in a `kind:` line (block or flow style, quoted or not)
_KINDS = re.compile(r"""kind['"]?\s*:\s*['"]?(?:DataSource|Service)\b""")


def may_define_data(path: Path) -> bool:
    try:
        if not path.is_file():  # a FIFO, a device or a dangling link: never opened here
            return True  # the loader reports it
        with open(path, "rb") as handle:
            text = handle.read(MAX_FILE_BYTES + 1).decode("utf-8", errors="replace")
    except OSError:
        return True  # let the loader report it
    return _KINDS.search(text) is not None


def load_data_definitions(config: RepositoryConfig) -> LoadResult:
    """The repository's DataSources and Services, skipping files that hold neither.

    Agreements are the bulk of a large repository and an ingest never reads them, so skipping
    those files keeps `slactl ingest` quick; every other command loads the whole repository. Files
    are read with the fast loader (and the parse cache); positions are found when a message needs one.
    The other files are parsed into the parse cache (not validated), so the `compliance` or `report`
    that follows an ingest reads them ready-parsed.
    """
    every = find_definition_files(config)
    files = [path for path in every if may_define_data(path)]
    chosen = set(files)
    return load_paths(files, config.root, positions=False, cache=config.parse_cache_path,
                      warm=[path for path in every if path not in chosen])
