"""Load a folder of level documents. A broken file is reported, never fatal."""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .ladder import Ladder
from .model import Level, Problem
from .parser import NotALevelDocument, parse_level
from .repair import decode_bytes, repair_text

DOCUMENT_SUFFIXES = (".md", ".markdown", ".txt")
# Files that live beside level documents but are not levels.
NOT_LEVELS = ("readme", "changelog", "license", "contributing", "index", "summary")
MAX_FILE_BYTES = 1_000_000
PARALLEL_FROM = 100  # below this many files, starting worker processes costs more than it saves


@dataclass
class LoadResult:
    ladder: Ladder
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def load_ladder(root: str | os.PathLike[str]) -> LoadResult:
    """Read every level document under `root`; one folder level below it names the track."""
    root = Path(root)
    if not root.is_dir():
        problem = Problem(str(root), "content folder not found")
        return LoadResult(Ladder(()), [problem])
    problems: list[Problem] = []
    levels: dict[str, Level] = {}
    with gc_paused():
        loaded = _load_files(root, _document_paths(root, problems))
    for level, file_problems in loaded:
        problems.extend(file_problems)
        if level is None:
            continue
        if level.id in levels:
            other = levels[level.id].source
            problems.append(Problem(level.source, f"duplicate of {level.name} in {other}; skipped"))
            continue
        levels[level.id] = level
    problems.extend(_unresolved_references(root, list(levels.values())))
    return LoadResult(Ladder(tuple(levels.values())), problems)


def _document_paths(root: Path, problems: list[Problem]) -> list[Path]:
    real_root = root.resolve()
    paths = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if name.startswith(".") or not name.lower().endswith(DOCUMENT_SUFFIXES):
                continue
            if Path(name).stem.lower() in NOT_LEVELS:
                continue
            reason = _link_problem(path, real_root)
            if reason:
                problems.append(Problem(_relative(root, path), reason))
                continue
            paths.append(path)
    return paths


def _link_problem(path: Path, real_root: Path) -> str | None:
    """Why a (symlinked) file cannot be read as part of this folder, if it cannot."""
    try:
        # strict: a dangling link or a loop raises here (a loop as RuntimeError before 3.13).
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return "a broken symbolic link (a loop, or pointing at nothing); skipped"
    if not target.is_relative_to(real_root):
        return "links outside the content folder; skipped"
    return None


def _load_files(root: Path, paths: list[Path]) -> list[tuple[Level | None, list[Problem]]]:
    """Parse every file, on all cores when there are many (parsing is CPU-bound)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_FROM or workers < 2:
        return [_load_one(root, path) for path in paths]
    try:
        # Forking a process that runs threads (a bot reloading its content) can copy a held
        # lock into the child; fork only while this is the one thread, else use a fork server.
        context = multiprocessing.get_context("fork" if threading.active_count() == 1 else "forkserver")
        with ProcessPoolExecutor(max_workers=workers, initializer=gc.disable, mp_context=context) as pool:
            return list(pool.map(_load_one, [root] * len(paths), paths, chunksize=max(1, len(paths) // (workers * 4))))
    except (OSError, RuntimeError):  # no processes to be had here: do it in this one
        return [_load_one(root, path) for path in paths]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Building a ladder allocates millions of small objects that all live on: the cyclic
    collector would scan them again and again for nothing, a large share of loading time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _load_one(root: Path, path: Path) -> tuple[Level | None, list[Problem]]:
    problems: list[Problem] = []
    return _load_file(root, path, problems), problems


def _load_file(root: Path, path: Path, problems: list[Problem]) -> Level | None:
    source = _relative(root, path)
    try:
        data = path.read_bytes()
    except OSError as error:
        problems.append(Problem(source, f"cannot be read ({error.strerror or error})"))
        return None
    reason = _unreadable_reason(data)
    if reason:
        problems.append(Problem(source, reason))
        return None
    text, valid_utf8 = decode_bytes(data)
    if not valid_utf8:
        problems.append(Problem(source, "invalid UTF-8; damaged characters replaced", "warning"))
    folder = Path(source).parts[0] if len(Path(source).parts) > 1 else None
    try:
        level = parse_level(repair_text(text), source=source, folder_track=folder)
    except NotALevelDocument as error:
        problems.append(Problem(source, str(error)))
        return None
    if level.competency_count == 0:
        problems.append(Problem(source, "no competencies found (expected '- I ...' list items under '## ' sections)", "warning"))
    return level


def _unreadable_reason(data: bytes) -> str | None:
    if not data.strip():
        return "empty file"
    if len(data) > MAX_FILE_BYTES:
        return f"too large ({len(data):,} bytes; the limit is {MAX_FILE_BYTES:,})"
    if b"\x00" in data[:8192]:
        return "binary file, not markdown"
    return None


def _unresolved_references(root: Path, levels: list[Level]) -> list[Problem]:
    """Relative links to level documents that are not in this content folder."""
    problems = []
    for level in levels:
        for ref in level.references:
            if ref.is_external or ref.target.startswith("#") or not ref.target.split("#")[0].endswith(".md"):
                continue
            target = (root / level.source).parent / ref.target.split("#")[0]
            if not target.exists():
                problems.append(Problem(level.source, f"links to {ref.target}, which is not in the content folder", "warning"))
    return problems


def _relative(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
