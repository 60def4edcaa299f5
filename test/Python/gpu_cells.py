"""GPU check of the PyTorch binding: for every example cell and dtype,
forward and gradients of flashrnn_mlir.rnn against a float64 PyTorch
reference written here from each cell's published equations (the comments
at the top of examples/*.mlir), independently of the compiler and of the
runtime's CPU reference.

    PYTHONPATH=python python3 test/Python/gpu_cells.py [--cells lstm,gru]
        [--dtypes bf16,f16,f32] [--batch 5 --seq 33 --heads 2 --head-dim 64]

Prints one row per (cell, dtype, s0 given or not) with the relative
Frobenius errors ||got - ref|| / ||ref|| of states, last, dWx, dR, db, ds0
and exits 1 if any exceeds the tolerance (1e-2 for bf16/f16, 1e-3 for f32).
Needs a CUDA GPU and PyTorch; the packages come from flashrnn-compile or, on
a machine without it, from the cache FLASHRNN_CACHE points to.
"""

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "python"))
import flashrnn_mlir  # noqa: E402

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")
CELLS = ["lstm", "gru", "slstm", "elman", "cifg_lstm", "ligru", "janet"]
TORCH_DTYPES = {"bf16": torch.bfloat16, "f16": torch.float16,
                "f32": torch.float32}
TOLERANCE = {"bf16": 1e-2, "f16": 1e-2, "f32": 1e-3}

sig, tanh = torch.sigmoid, torch.tanh

# Each cell: (Gw, Gr, Gb, S), then step(states, x, r, b) -> new states where
# x[k] is gate k's input row of Wx ([B, NH, DH]), r[k] its recurrent part
# R[k] . h, and b the bias rows [Gb, NH, DH].


def lstm(s, x, r, b):
    h, c = s
    i, f, z, o = (sig(x[0] + r[0] + b[0]), sig(x[1] + r[1] + b[1]),
                  tanh(x[2] + r[2] + b[2]), sig(x[3] + r[3] + b[3]))
    c1 = f * c + i * z
    return [o * tanh(c1), c1]


def gru(s, x, r, b):
    (h,) = s
    rg = sig(x[0] + r[0] + b[0])
    z = sig(x[1] + r[1] + b[1])
    n = tanh(x[2] + b[2] + rg * (r[2] + b[3]))
    return [(1 - z) * n + z * h]


def slstm(s, x, r, b):
    h, c, n, m = s
    i, f, z, o = (x[k] + r[k] + b[k] for k in range(4))
    logf = torch.nn.functional.logsigmoid(f)
    m1 = torch.maximum(i, logf + m)
    ig = torch.exp(i - m1)
    fg = torch.exp(logf + m - m1)
    c1 = fg * c + ig * tanh(z)
    n1 = fg * n + ig
    return [sig(o) * c1 / n1, c1, n1, m1]


def elman(s, x, r, b):
    return [tanh(x[0] + r[0] + b[0])]


def cifg_lstm(s, x, r, b):
    h, c = s
    f, z, o = (sig(x[0] + r[0] + b[0]), tanh(x[1] + r[1] + b[1]),
               sig(x[2] + r[2] + b[2]))
    c1 = f * c + (1 - f) * z
    return [o * tanh(c1), c1]


def ligru(s, x, r, b):
    (h,) = s
    z = sig(x[0] + r[0] + b[0])
    n = torch.relu(x[1] + r[1] + b[1])
    return [z * h + (1 - z) * n]


def janet(s, x, r, b, beta=1.0):
    (h,) = s
    pre = x[0] + r[0] + b[0]
    return [sig(pre) * h + (1 - sig(pre - beta)) * tanh(x[1] + r[1] + b[1])]


SPECS = {"lstm": ((4, 4, 4, 2), lstm), "gru": ((3, 3, 4, 1), gru),
         "slstm": ((4, 4, 4, 4), slstm), "elman": ((1, 1, 1, 1), elman),
         "cifg_lstm": ((3, 3, 3, 2), cifg_lstm), "ligru": ((2, 2, 2, 1), ligru),
         "janet": ((2, 2, 2, 1), janet)}


def reference(cell, wx, R, b, s0):
    """float64 states [S,B,T,NH,DH] and last [S,B,NH,DH]."""
    step = SPECS[cell][1]
    T = wx.shape[1]
    s = list(s0.unbind(0))
    out = []
    for t in range(T):
        # gate_k[b, n, j] = sum_i R[k, n, j, i] h[b, n, i]
        r = torch.einsum("bni,knji->kbnj", s[0], R)
        x = wx[:, t].permute(1, 0, 2, 3)
        s = step(s, x, r, b)
        out.append(torch.stack(s))
    states = torch.stack(out, 2)
    return states, states[:, :, -1]


def rel(got, ref):
    got, ref = got.double(), ref.double()
    return ((got - ref).norm() / ref.norm().clamp_min(1e-30)).item()


def check(cell, dtype, B, T, NH, DH, with_s0, gen):
    (gw, gr, gb, ns), _ = SPECS[cell]
    td = TORCH_DTYPES[dtype]
    dev = "cuda"
    k = DH ** -0.5

    def rand(*shape, scale=1.0):
        return (torch.randn(*shape, generator=gen, dtype=torch.float64) *
                scale).to(td).to(dev)

    wx = rand(B, T, gw, NH, DH)
    R = ((torch.rand(gr, NH, DH, DH, generator=gen, dtype=torch.float64)
          * 2 - 1) * k).to(td).to(dev)
    b = rand(gb, NH, DH, scale=0.3)
    s0 = None
    if with_s0:
        s0 = rand(ns, B, NH, DH, scale=0.5)
        if cell == "slstm":  # the normaliser n must stay positive
            s0[2] = s0[2].abs() + 0.5
    dstates = rand(ns, B, T, NH, DH)
    dlast = rand(ns, B, NH, DH)

    inputs = [t.clone().requires_grad_() for t in (wx, R, b)] + \
        ([s0.clone().requires_grad_()] if with_s0 else [])
    states, last = flashrnn_mlir.rnn(os.path.join(EXAMPLES, cell + ".mlir"),
                                     *inputs)
    grads = torch.autograd.grad((states, last), inputs, (dstates, dlast))
    with torch.no_grad():  # the inference kernel
        states_nograd, _ = flashrnn_mlir.rnn(
            os.path.join(EXAMPLES, cell + ".mlir"), *inputs)
    torch.cuda.synchronize()

    ref_in = [t.double().requires_grad_() for t in (wx, R, b)]
    ref_s0 = s0.double().requires_grad_() if with_s0 else \
        torch.zeros(ns, B, NH, DH, dtype=torch.float64, device=dev,
                    requires_grad=True)
    rs, rl = reference(cell, *ref_in, ref_s0)
    rgrads = torch.autograd.grad((rs, rl), ref_in + [ref_s0],
                                 (dstates.double(), dlast.double()))
    errs = {"states": rel(states, rs), "last": rel(last, rl),
            "states(no grad)": rel(states_nograd, rs)}
    for name, g, rg in zip(["dWx", "dR", "db", "ds0"], grads, rgrads):
        errs[name] = rel(g, rg)
    return errs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", default=",".join(CELLS))
    ap.add_argument("--dtypes", default="bf16,f16,f32")
    ap.add_argument("--batch", type=int, default=5)
    ap.add_argument("--seq", type=int, default=33)
    ap.add_argument("--heads", type=int, default=2)
    ap.add_argument("--head-dim", type=int, default=64)
    a = ap.parse_args()
    if not torch.cuda.is_available():
        print("SKIP: no CUDA GPU")
        return 0
    print(f"device: {torch.cuda.get_device_name()}  torch {torch.__version__}"
          f"  B={a.batch} T={a.seq} NH={a.heads} DH={a.head_dim}")
    cols = ["states", "last", "states(no grad)", "dWx", "dR", "db", "ds0"]
    print("| cell | dtype | s0 | " + " | ".join(cols) + " | worst | result |")
    print("|" + "---|" * (len(cols) + 5))
    failed = 0
    gen = torch.Generator().manual_seed(7)
    for cell in a.cells.split(","):
        for dtype in a.dtypes.split(","):
            for with_s0 in (False, True):
                try:
                    e = check(cell, dtype, a.batch, a.seq, a.heads,
                              a.head_dim, with_s0, gen)
                except Exception as ex:  # report and go on
                    failed += 1
                    msg = str(ex).splitlines()[0][:200]
                    print(f"| {cell} | {dtype} | {'yes' if with_s0 else 'no'}"
                          f" | ERROR: {type(ex).__name__}: {msg} |")
                    continue
                worst = max(v for k, v in e.items()
                            if with_s0 or k != "ds0")
                ok = worst <= TOLERANCE[dtype]
                failed += not ok
                vals = " | ".join(
                    f"{e[c]:.1e}" if (with_s0 or c != "ds0") else "-"
                    for c in cols)
                print(f"| {cell} | {dtype} | {'yes' if with_s0 else 'no'} | "
                      f"{vals} | {worst:.1e} | {'PASS' if ok else 'FAIL'} |",
                      flush=True)
    print(f"{'FAILED' if failed else 'PASSED'}: {failed} case(s) failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
