#!/usr/bin/env python3
"""Low-level smoke test of a package's forward kernel, independent of the
runtime: loads the PTX with the CUDA driver (ctypes), launches it per the
launch contract of docs/PACKAGE.md on PyTorch buffers, and compares an LSTM
package against a float64 PyTorch LSTM written here. For compiler debugging on
the GPU machine; the product path is flashrnn-run --device cuda --check.

    python3 scripts/dev/ptx-smoke.py PKG B T NH
"""
import ctypes, json, math, sys, time
import torch

pkg, B, T, NH = sys.argv[1], *map(int, sys.argv[2:5])
man = json.load(open(f"{pkg}/manifest.json"))
kern = man["kernels"][0]
DH = man["head_dim"]
dt = {"bf16": torch.bfloat16, "f16": torch.float16, "f32": torch.float32}[man["dtype"]]
cnt = man["counts"]
S, G = cnt["states"], cnt["r_gates"]
dev = "cuda"
torch.manual_seed(0)

cuda = ctypes.CDLL("libcuda.so.1")
def check(r, what):
    if r != 0:
        s = ctypes.c_char_p()
        cuda.cuGetErrorName(r, ctypes.byref(s))
        raise SystemExit(f"{what} failed: {s.value.decode()}")

torch.zeros(1, device=dev)  # creates the primary context
ptx = open(f"{pkg}/{kern['ptx']}", "rb").read() + b"\0"
mod, fn = ctypes.c_void_p(), ctypes.c_void_p()
check(cuda.cuModuleLoadData(ctypes.byref(mod), ptx), "cuModuleLoadData")
check(cuda.cuModuleGetFunction(ctypes.byref(fn), mod, kern["entry"].encode()), "cuModuleGetFunction")
smem = kern["dynamic_shared_bytes"]
check(cuda.cuFuncSetAttribute(fn, 8, smem), "cuFuncSetAttribute")

wx = torch.randn(B, T, cnt["wx_gates"], NH, DH, device=dev).to(dt)
r = (torch.rand(G, NH, DH, DH, device=dev) * 2 - 1).div(math.sqrt(DH)).to(dt)
b = (torch.randn(cnt["b_gates"], NH, DH, device=dev) * 0.1).to(dt)
s0 = (torch.rand(S, B, NH, DH, device=dev) * 0.4).to(dt)
states = torch.full((S, B, T, NH, DH), float("nan"), device=dev, dtype=dt)
last = torch.full((S, B, NH, DH), float("nan"), device=dev, dtype=dt)
hx = torch.zeros(2, B, NH, DH, device=dev)
bt = kern["schedule"]["batch_tile"]
tiles = (B + bt - 1) // bt
sync = torch.zeros(NH * tiles, device=dev, dtype=torch.int32)

keep = []
def memref(t):
    vals = [ctypes.c_uint64(t.data_ptr()), ctypes.c_uint64(t.data_ptr()), ctypes.c_int64(0)]
    vals += [ctypes.c_int64(s) for s in t.shape] + [ctypes.c_int64(s) for s in t.stride()]
    return vals
params = []
for t in (wx, r, b, s0, states, last, hx, sync):
    params += memref(t)
params.append(ctypes.c_int32(0))
keep += params
arr = (ctypes.c_void_p * len(params))(*[ctypes.cast(ctypes.byref(p), ctypes.c_void_p) for p in params])
grid = (kern["schedule"]["ctas_per_head"], NH, tiles)
block = kern["block"]
launch = cuda.cuLaunchCooperativeKernel if kern["cooperative"] else cuda.cuLaunchKernel
def run():
    sync.zero_()
    if kern["cooperative"]:
        check(launch(fn, *grid, *block, smem, None, arr), "cuLaunchCooperativeKernel")
    else:
        check(launch(fn, *grid, *block, smem, None, arr, None), "cuLaunchKernel")
run()
torch.cuda.synchronize()
for _ in range(3): run()
torch.cuda.synchronize()
t0 = time.time(); n = 10
for _ in range(n): run()
torch.cuda.synchronize()
ms = (time.time() - t0) / n * 1e3

# float64 LSTM reference (gate order i, f, z, o; states h, c)
W, R_, B_ = wx.double(), r.double(), b.double()
h, c = s0[0].double(), s0[1].double()
out_h = []
for t in range(T):
    g = torch.einsum("knji,bni->bknj", R_, h) + W[:, t] + B_[None]
    i, f, z, o = g[:, 0].sigmoid(), g[:, 1].sigmoid(), g[:, 2].tanh(), g[:, 3].sigmoid()
    c = f * c + i * z
    h = o * c.tanh()
    out_h.append(h)
ref = torch.stack(out_h, 1)
got = states[0].double()
unwritten = torch.isnan(got).sum().item()
rel = ((got - ref).norm() / ref.norm()).item()
rel_last = ((last[0].double() - h).norm() / h.norm()).item()
print(f"{pkg}: B={B} T={T} NH={NH} DH={DH} {man['dtype']} grid={grid} block={block} smem={smem} "
      f"unwritten={unwritten} rel_err_h={rel:.2e} rel_err_last_h={rel_last:.2e} time={ms:.3f} ms ({ms*1e3/T:.2f} us/step)")
