"""`CellRNN`: a recurrent layer built on a compiled cell, with the input
projection, R and b as parameters."""

import math

import torch
from torch import nn

from .functional import Cell, as_cell, dtype_name, rnn


class CellRNN(nn.Module):
    """x [B, T, input_size] -> (h [B, T, num_heads * head_dim], last states
    [S, B, num_heads, head_dim]) through `cell` (a cell file path, text,
    package directory or Cell).

    Parameters (float32 master copies; cast to `dtype`, the kernels'
    element type, on every forward so that optimisers update in float32):
    `weight_ih` [Gw * NH * DH, input_size] (the input projection, no bias of
    its own: the cell's b holds the biases), `R` [Gr, NH, DH, DH], `b`
    [Gb, NH, DH]. All are initialised uniform(-1/sqrt(DH), 1/sqrt(DH)), as
    torch.nn.LSTM does with its hidden size (here the per-head one, the
    fan-in of R).
    """

    def __init__(self, cell, input_size, num_heads, head_dim,
                 dtype=torch.bfloat16, chip="sm_90", device=None):
        super().__init__()
        self.cell = as_cell(cell) if not isinstance(cell, Cell) else cell
        self.input_size = input_size
        self.num_heads = num_heads
        self.head_dim = head_dim
        self.dtype = dtype
        self._dtype_name = dtype_name(dtype)
        # The package is compiled (or found in the cache) here, for its
        # gate and state counts; the GPU is needed only to run it.
        from . import cache
        from .runtime import Package
        pkg = Package(cache.compile_cell(self.cell.source, self._dtype_name,
                                         head_dim, self.cell.chip or chip,
                                         self.cell.options))
        gw, gr, gb, ns = pkg.counts
        self.num_states = ns
        self.recurrent_state = pkg.recurrent_state
        self.state_names = pkg.state_names
        kw = {"device": device, "dtype": torch.float32}
        self.weight_ih = nn.Parameter(
            torch.empty(gw * num_heads * head_dim, input_size, **kw))
        self.R = nn.Parameter(
            torch.empty(gr, num_heads, head_dim, head_dim, **kw))
        self.b = nn.Parameter(torch.empty(gb, num_heads, head_dim, **kw))
        self._gw = gw
        self.reset_parameters()

    def reset_parameters(self):
        k = 1.0 / math.sqrt(self.head_dim)
        for p in self.parameters():
            nn.init.uniform_(p, -k, k)

    def forward(self, x, s0=None):
        if x.dim() != 3 or x.shape[-1] != self.input_size:
            raise ValueError(f"x must have shape [B, T, {self.input_size}], "
                             f"got {list(x.shape)}")
        B, T, _ = x.shape
        wx = torch.nn.functional.linear(x.to(self.weight_ih.dtype),
                                        self.weight_ih)
        wx = wx.view(B, T, self._gw, self.num_heads, self.head_dim)
        states, last = rnn(self.cell, wx.to(self.dtype),
                           self.R.to(self.dtype), self.b.to(self.dtype),
                           None if s0 is None else s0.to(self.dtype))
        h = states[self.recurrent_state].reshape(
            B, T, self.num_heads * self.head_dim)
        return h, last

    def extra_repr(self):
        return (f"cell={self.cell!r}, input_size={self.input_size}, "
                f"num_heads={self.num_heads}, head_dim={self.head_dim}, "
                f"dtype={self.dtype}")
