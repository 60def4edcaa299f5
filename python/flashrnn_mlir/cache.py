"""Compiling cells into kernel packages, cached on disk.

A package (docs/PACKAGE.md) depends on the cell text, the element type, the
head dimension, the target chip, the compiler options and the compiler
itself; batch size, sequence length and the number of heads are run-time
values, so one package serves them all.

Layout: ``<cache>/<key>/`` is a package directory (manifest.json, PTX) plus
``flashrnn-cache.json`` recording what it was built from, including the
compiler's identity (a SHA-256 of the flashrnn-compile binary). The key
covers everything but the compiler, so that a machine without one (a GPU
machine without MLIR, given a cache directory compiled elsewhere through
FLASHRNN_CACHE) finds packages by the same key; where a compiler is present,
an entry built by a different compiler is rebuilt. Entries are written into a
temporary directory in the cache and renamed into place, so a reader never
sees a half-written package and concurrent compiles of one key are harmless.
"""

import hashlib
import json
import os
import shutil
import subprocess
import tempfile

from .validate import DTYPES, check_dtype_name

#: Counters, for tests and for users wondering whether the cache works.
stats = {"compiles": 0, "hits": 0}

_REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
_META = "flashrnn-cache.json"
_KEY_VERSION = 1  # bumped when the key's recipe changes


class CompileError(RuntimeError):
    """flashrnn-compile rejected the cell; the message holds its diagnostics."""


class CompilerNotFoundError(CompileError):
    """No flashrnn-compile, and no cached package for the key."""


def cache_dir():
    """$FLASHRNN_CACHE, else ~/.cache/flashrnn-mlir."""
    env = os.environ.get("FLASHRNN_CACHE")
    if env:
        return env
    return os.path.join(os.path.expanduser("~"), ".cache", "flashrnn-mlir")


def find_compiler():
    """$FLASHRNN_COMPILE, else <repo>/build/bin/flashrnn-compile, else PATH;
    None if there is none."""
    env = os.environ.get("FLASHRNN_COMPILE")
    if env:
        return env if os.path.isfile(env) else None
    candidate = os.path.join(_REPO, "build", "bin", "flashrnn-compile")
    if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
        return candidate
    return shutil.which("flashrnn-compile")


_identities = {}


def compiler_identity(path):
    """SHA-256 of the compiler binary (memoised per path, size and mtime):
    a rebuilt compiler that differs invalidates its packages, an identical
    rebuild does not."""
    st = os.stat(path)
    memo = (os.path.realpath(path), st.st_size, st.st_mtime_ns)
    if memo not in _identities:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        _identities[memo] = h.hexdigest()
    return _identities[memo]


def read_cell(cell):
    """The cell text of `cell`: a path to a cell file, or the text itself
    (anything containing 'flashrnn.cell')."""
    cell = os.fspath(cell)
    if "flashrnn.cell" in cell:
        return cell
    if not os.path.isfile(cell):
        raise FileNotFoundError(
            f"cell file {cell!r} not found (pass a path to a .mlir cell file, "
            "the cell text, or a package directory)")
    with open(cell, encoding="utf-8") as f:
        return f.read()


def cache_key(cell_text, dtype, head_dim, chip="sm_90", options=()):
    """The hex key of a package: SHA-256 over the cell text, dtype, head
    dimension, chip and compiler options (not the compiler; see above)."""
    check_dtype_name(dtype)
    if not isinstance(head_dim, int) or isinstance(head_dim, bool) \
            or head_dim < 1:
        raise ValueError(f"head_dim must be a positive int, got {head_dim!r}")
    desc = json.dumps({"key": _KEY_VERSION, "cell": cell_text, "dtype": dtype,
                       "head_dim": head_dim, "chip": chip,
                       "options": list(options)}, sort_keys=True)
    return hashlib.sha256(desc.encode("utf-8")).hexdigest()[:32]


def is_package(path):
    return os.path.isfile(os.path.join(os.fspath(path), "manifest.json"))


def _entry_compiler(entry):
    try:
        with open(os.path.join(entry, _META), encoding="utf-8") as f:
            return json.load(f).get("compiler")
    except (OSError, ValueError):
        return None


def compile_cell(cell, dtype, head_dim, chip="sm_90", options=(),
                 cache=None, compiler=None):
    """The package directory for `cell` (path, text, or an existing package
    directory, returned as is) compiled for `dtype` ('bf16', 'f16', 'f32'),
    `head_dim` and `chip`, with extra flashrnn-compile `options`. Compiles
    on a cache miss; raises CompileError with the compiler's diagnostics if
    the cell does not compile, CompilerNotFoundError if there is neither a
    compiler nor a cached package."""
    if not isinstance(cell, str) or "flashrnn.cell" not in cell:
        if os.path.isdir(os.fspath(cell)):
            if not is_package(cell):
                raise FileNotFoundError(
                    f"{os.fspath(cell)!r} is a directory without "
                    "manifest.json: not a kernel package")
            return os.fspath(cell)
    text = read_cell(cell)
    options = tuple(str(o) for o in options)
    key = cache_key(text, dtype, head_dim, chip, options)
    root = cache if cache is not None else cache_dir()
    entry = os.path.join(root, key)
    compiler = compiler or find_compiler()
    identity = compiler_identity(compiler) if compiler else None

    if is_package(entry):
        built_by = _entry_compiler(entry)
        if identity is None or built_by == identity:
            stats["hits"] += 1
            return entry
    if compiler is None:
        raise CompilerNotFoundError(
            f"no flashrnn-compile found (set FLASHRNN_COMPILE, build "
            f"{os.path.join(_REPO, 'build', 'bin', 'flashrnn-compile')}, or "
            f"put it on PATH), and the cache {root!r} has no package {key} "
            f"for this cell ({dtype}, head_dim {head_dim}, {chip}"
            f"{', ' + ' '.join(options) if options else ''})")

    os.makedirs(root, exist_ok=True)
    work = tempfile.mkdtemp(prefix=".tmp-", dir=root)
    try:
        src = os.path.join(work, "cell.mlir")
        with open(src, "w", encoding="utf-8") as f:
            f.write(text)
        pkg = os.path.join(work, "package")
        cmd = [compiler, src, "-q", "--chip", chip, "--dtype", dtype,
               "--head-dim", str(head_dim), *options, "-o", pkg]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        stats["compiles"] += 1
        if proc.returncode != 0 or not is_package(pkg):
            where = cell if not isinstance(cell, str) or \
                "flashrnn.cell" not in cell else "<cell text>"
            diag = (proc.stderr + proc.stdout).strip().replace(src, str(where))
            raise CompileError(
                f"flashrnn-compile failed on {where} ({dtype}, head_dim "
                f"{head_dim}, {chip}), exit status {proc.returncode}:\n{diag}")
        with open(os.path.join(pkg, _META), "w", encoding="utf-8") as f:
            json.dump({"compiler": identity, "dtype": dtype,
                       "head_dim": head_dim, "chip": chip,
                       "options": list(options)}, f, indent=1)
        # Into place atomically; a stale entry (another compiler's) is moved
        # aside first, and a concurrent writer that won the race is kept.
        if os.path.exists(entry):
            os.rename(entry, os.path.join(work, "stale"))
        try:
            os.rename(pkg, entry)
        except OSError:
            if not is_package(entry):
                raise
        return entry
    finally:
        shutil.rmtree(work, ignore_errors=True)
