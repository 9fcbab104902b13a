"""Reading a definitions repository: files, YAML with positions, documents into models."""

from slactl.loader.documents import LoadedDocument, LoadResult, load_paths, load_repository
from slactl.loader.repository import RepositoryConfig, find_definition_files, load_config

__all__ = [
    "LoadResult",
    "LoadedDocument",
    "RepositoryConfig",
    "find_definition_files",
    "load_config",
    "load_paths",
    "load_repository",
]
