"""`rnn(cell, Wx, R, b, s0=None) -> (states, last)`: a compiled cell as a
differentiable PyTorch op on CUDA tensors in the public layouts

    Wx [B, T, Gw, NH, DH]   R [Gr, NH, DH, DH]   b [Gb, NH, DH]
    s0 [S, B, NH, DH]       states [S, B, T, NH, DH]   last [S, B, NH, DH]

in bf16, f16 or f32. The forward runs the package's `forward` kernel when
no gradient is needed, else `forward_train` (which saves the gate values and
states the backward reads); the backward runs `backward` then
`backward_reduce`. Every launch goes on the current torch stream of the
tensors' device; buffers come from PyTorch's allocator, which keeps them
alive for the stream's work.
"""

import os
import threading

import torch

from . import cache, validate
from .runtime import Package

_TORCH_DTYPES = {torch.bfloat16: "bf16", torch.float16: "f16",
                 torch.float32: "f32"}
_DTYPE_OF = {"bf16": torch.bfloat16, "f16": torch.float16,
             "f32": torch.float32, "i32": torch.int32}


def dtype_name(t):
    name = _TORCH_DTYPES.get(t)
    if name is None:
        raise ValueError(f"unsupported dtype {t}: the kernels run "
                         "torch.bfloat16, torch.float16 and torch.float32")
    return name


def chip_of(device):
    major, minor = torch.cuda.get_device_capability(device)
    return f"sm_{major}{minor}"


class Cell:
    """A cell file (or text, or a package directory), compiled on demand
    for each (dtype, head_dim, chip) it is used with. Packages come from the
    disk cache (flashrnn_mlir.cache); loaded packages are kept here."""

    def __init__(self, cell, options=(), chip=None):
        self.source = cell
        self.options = tuple(options)
        self.chip = chip
        self._packages = {}
        self._lock = threading.Lock()
        if not (isinstance(cell, str) and "flashrnn.cell" in cell) and \
                not os.path.exists(os.fspath(cell)):
            raise FileNotFoundError(f"cell file {os.fspath(cell)!r} not found")

    def package(self, dtype, head_dim, chip="sm_90"):
        """The loaded runtime.Package for `dtype` ('bf16', 'f16', 'f32')."""
        chip = self.chip or chip
        key = (dtype, head_dim, chip)
        with self._lock:
            pkg = self._packages.get(key)
            if pkg is None:
                path = cache.compile_cell(self.source, dtype, head_dim, chip,
                                          self.options)
                pkg = Package(path)
                if pkg.dtype != dtype or pkg.head_dim != head_dim:
                    raise ValueError(
                        f"package {path} is {pkg.dtype}, head_dim "
                        f"{pkg.head_dim}; the tensors are {dtype}, head_dim "
                        f"{head_dim}")
                self._packages[key] = pkg
            return pkg

    def __repr__(self):
        src = self.source if not isinstance(self.source, str) or \
            "flashrnn.cell" not in self.source else "<text>"
        return f"Cell({src!r})"


_cells = {}


def as_cell(cell):
    if isinstance(cell, Cell):
        return cell
    key = os.fspath(cell)
    if key not in _cells:
        _cells[key] = Cell(cell)
    return _cells[key]


def _ptr(t):
    return t.data_ptr() if t.numel() else 0


def _dense(t):
    """`t` as a dense row-major tensor at a 16-byte aligned address, as the
    runtime requires (the tensor-core kernels read pairs of 16-bit elements
    and write their per-step outputs as 16-byte runs): a contiguous view at
    an offset is copied."""
    t = t.contiguous()
    if t.numel() and t.data_ptr() % 16:
        t = t.clone()
    return t


def _alloc(args, given, device):
    """The buffers of one launch: `given` tensors, the rest allocated."""
    out = dict(given)
    for name, shape, dtype in args:
        if name in out:
            if tuple(out[name].shape) != shape:
                raise ValueError(f"internal: {name} has shape "
                                 f"{tuple(out[name].shape)}, kernel wants "
                                 f"{shape}")
            continue
        # h_exchange is read only after it is written, but zeroing it once
        # keeps a stale NaN from an earlier use out of a faulty kernel's way.
        # backward_reduce's `partial` sums must start at zero (the kernel
        # leaves them zero; its `sync` counters the launch zeroes).
        zeroed = ("h_exchange", "partial")
        make = torch.zeros if name in zeroed else torch.empty
        out[name] = make(shape, dtype=_DTYPE_OF[dtype], device=device)
    return out


def _launch(pkg, kind, dims, bufs):
    stream = torch.cuda.current_stream(bufs["s0"].device).cuda_stream
    pkg.launch(kind, *dims, {n: _ptr(t) for n, t in bufs.items()}, stream)


class _RNNFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, pkg, dims, has_s0, grad_mode, wx, r, b, s0):
        # Grad mode is off inside forward: the caller's was passed in.
        training = grad_mode and any(ctx.needs_input_grad[4:])
        kind = "forward_train" if training else "forward"
        device = wx.device
        bufs = _alloc(pkg.kernel_args(kind, *dims),
                      {"wx": wx, "r": r, "b": b, "s0": s0}, device)
        with torch.cuda.device(device):
            _launch(pkg, kind, dims, bufs)
        ctx.pkg, ctx.dims, ctx.has_s0 = pkg, dims, has_s0
        if training:
            ctx.save_for_backward(r, s0, bufs["saved_gates"],
                                  bufs["saved_states"])
        return bufs["states"], bufs["last"]

    @staticmethod
    def backward(ctx, dstates, dlast):
        pkg, dims = ctx.pkg, ctx.dims
        r, s0, saved_gates, saved_states = ctx.saved_tensors
        device, dtype = s0.device, s0.dtype
        B, T, NH = dims
        S, DH = pkg.counts[3], pkg.head_dim

        def grad_in(g, shape):
            if g is None:
                return torch.zeros(shape, dtype=dtype, device=device)
            return _dense(g.to(dtype))

        dstates = grad_in(dstates, (S, B, T, NH, DH))
        dlast = grad_in(dlast, (S, B, NH, DH))
        with torch.cuda.device(device):
            bw = _alloc(pkg.kernel_args("backward", *dims),
                        {"r": r, "s0": s0, "saved_gates": saved_gates,
                         "saved_states": saved_states, "dstates": dstates,
                         "dlast": dlast}, device)
            _launch(pkg, "backward", dims, bw)
            red = _alloc(pkg.kernel_args("backward_reduce", *dims),
                         {"s0": s0, "saved_states": saved_states,
                          "dgates": bw["dgates"]}, device)
            _launch(pkg, "backward_reduce", dims, red)
        ds0 = bw["ds0"] if ctx.has_s0 else None
        return None, None, None, None, bw["dwx"], red["dr"], red["db"], ds0


def rnn(cell, Wx, R, b, s0=None):
    """Runs `cell` (a path to a cell file, cell text, a package directory,
    or a Cell) over Wx with recurrent weights R and biases b from initial
    states s0 (None: the cell's init values). Returns (states, last), both
    differentiable w.r.t. Wx, R, b and s0. See the module docstring for the
    layouts."""
    named = [("Wx", Wx), ("R", R), ("b", b)] + \
        ([("s0", s0)] if s0 is not None else [])
    for name, t in named:
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got "
                            f"{type(t).__name__}")
    for name, t in named:
        dtype_name(t.dtype)  # a clear message before the placement check
    validate.check_same_placement(
        [(n, str(t.device), dtype_name(t.dtype)) for n, t in named])
    if not torch.cuda.is_available():
        raise RuntimeError("no CUDA GPU: torch.cuda.is_available() is False")
    dtype = dtype_name(Wx.dtype)
    if Wx.dim() != 5:
        raise ValueError(f"Wx must have shape [B, T, Gw, NH, DH] (5 dims), "
                         f"got {list(Wx.shape)}")
    head_dim = int(Wx.shape[-1])
    pkg = as_cell(cell).package(dtype, head_dim, chip_of(Wx.device))
    dims = validate.infer_sizes(pkg.counts, pkg.head_dim, Wx.shape, R.shape,
                                b.shape, None if s0 is None else s0.shape)
    # The kernels read dense row-major buffers at 16-byte aligned addresses.
    Wx, R, b = _dense(Wx), _dense(R), _dense(b)
    has_s0 = s0 is not None
    if has_s0:
        s0 = _dense(s0)
    else:
        B, _, NH = dims
        init = torch.tensor(pkg.state_inits, dtype=Wx.dtype, device=Wx.device)
        s0 = init.view(-1, 1, 1, 1).expand(
            pkg.counts[3], B, NH, head_dim).contiguous()
    return _RNNFunction.apply(pkg, dims, has_s0, torch.is_grad_enabled(), Wx,
                              R, b, s0)
