"""FlashRNN-MLIR for PyTorch.

Compile a cell file (the `flashrnn` MLIR dialect) into GPU kernels and use
them as a differentiable PyTorch op:

    from flashrnn_mlir import rnn, CellRNN
    states, last = rnn("examples/lstm.mlir", Wx, R, b)      # CUDA tensors
    model = CellRNN("examples/janet.mlir", input_size=8, num_heads=2,
                    head_dim=64)

The cache and argument-validation modules (`cache`, `validate`, `runtime`)
import without PyTorch; `rnn` and `CellRNN` import it when first used.
docs/PYTORCH.md describes the package.
"""

from .cache import (CompileError, CompilerNotFoundError, cache_dir,
                    cache_key, compile_cell, find_compiler)
from .validate import DTYPES

__all__ = [
    "CompileError", "CompilerNotFoundError", "cache_dir", "cache_key",
    "compile_cell", "find_compiler", "DTYPES", "Cell", "rnn", "CellRNN",
]


def __getattr__(name):
    # PyTorch is imported only when the torch-facing names are used, so that
    # the cache and validation work (and are tested) where it is absent.
    if name in ("Cell", "rnn"):
        from . import functional
        return getattr(functional, name)
    if name == "CellRNN":
        from . import module
        return module.CellRNN
    raise AttributeError(f"module 'flashrnn_mlir' has no attribute {name!r}")
