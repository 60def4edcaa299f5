#!/usr/bin/env python3
"""Low-level smoke test of a package's kernels, independent of the runtime:
loads the PTX with the CUDA driver (ctypes), launches the kernels per the
launch contract of docs/PACKAGE.md on PyTorch buffers, and compares an LSTM
package (forward, and with --backward the gradients of the training kernels)
against a float64 PyTorch LSTM written here. For compiler debugging on the GPU
machine; the product path is flashrnn-run --device cuda --check.

    python3 scripts/dev/ptx-smoke.py PKG B T NH [--backward]
"""
import ctypes, json, math, sys, time
import torch

pkg, B, T, NH = sys.argv[1], *map(int, sys.argv[2:5])
backward = "--backward" in sys.argv
man = json.load(open(f"{pkg}/manifest.json"))
kernels = {k["kind"]: k for k in man["kernels"]}
DH = man["head_dim"]
dt = {"bf16": torch.bfloat16, "f16": torch.float16, "f32": torch.float32}[man["dtype"]]
cnt = man["counts"]
S, G = cnt["states"], cnt["r_gates"]
NA = sum(1 for a in man["program"]["args"] if a["kind"] == "gate")
dev = "cuda"
torch.manual_seed(0)

cuda = ctypes.CDLL("libcuda.so.1")
def check(r, what):
    if r != 0:
        s = ctypes.c_char_p()
        cuda.cuGetErrorName(r, ctypes.byref(s))
        raise SystemExit(f"{what} failed: {s.value.decode()}")

torch.zeros(1, device=dev)  # creates the primary context
mod = ctypes.c_void_p()
ptx = open(f"{pkg}/{man['kernels'][0]['ptx']}", "rb").read() + b"\0"
check(cuda.cuModuleLoadData(ctypes.byref(mod), ptx), "cuModuleLoadData")

def launch(kind, bufs):
    k = kernels[kind]
    fn = ctypes.c_void_p()
    check(cuda.cuModuleGetFunction(ctypes.byref(fn), mod, k["entry"].encode()), "cuModuleGetFunction")
    smem = k["dynamic_shared_bytes"]
    check(cuda.cuFuncSetAttribute(fn, 8, smem), "cuFuncSetAttribute")
    params = []
    for a in k["args"]:
        v = bufs[a["name"]]
        if a["kind"] == "memref":
            assert v.dim() == a["rank"], (a, v.shape)
            params += [ctypes.c_uint64(v.data_ptr()), ctypes.c_uint64(v.data_ptr()), ctypes.c_int64(0)]
            params += [ctypes.c_int64(s) for s in v.shape] + [ctypes.c_int64(s) for s in v.stride()]
        else:
            params.append(ctypes.c_int32(v))
    arr = (ctypes.c_void_p * len(params))(*[ctypes.cast(ctypes.byref(p), ctypes.c_void_p) for p in params])
    sched = k.get("schedule", {})
    tiles = (B + sched.get("batch_tile", 1) - 1) // sched.get("batch_tile", 1)
    dims = {"ctas_per_head": sched.get("ctas_per_head", 1), "heads": NH, "batch_tiles": tiles}
    grid = [dims[g] if isinstance(g, str) else g for g in k["grid"]]
    if "sync" in bufs: bufs["sync"].zero_()
    if k["cooperative"]:
        check(cuda.cuLaunchCooperativeKernel(fn, *grid, *k["block"], smem, None, arr), f"launch {kind}")
    else:
        check(cuda.cuLaunchKernel(fn, *grid, *k["block"], smem, None, arr, None), f"launch {kind}")
    return params  # keep alive until synchronised

wx = torch.randn(B, T, cnt["wx_gates"], NH, DH, device=dev).to(dt)
r = (torch.rand(G, NH, DH, DH, device=dev) * 2 - 1).div(math.sqrt(DH)).to(dt)
b = (torch.randn(cnt["b_gates"], NH, DH, device=dev) * 0.1).to(dt)
s0 = (torch.rand(S, B, NH, DH, device=dev) * 0.4).to(dt)
nan = lambda *shape, dtype=dt: torch.full(shape, float("nan"), device=dev, dtype=dtype)
bt = max(k.get("schedule", {}).get("batch_tile", 1) for k in man["kernels"])
bufs = dict(wx=wx, r=r, b=b, s0=s0, states=nan(S, B, T, NH, DH), last=nan(S, B, NH, DH),
            h_exchange=torch.zeros(2, B, NH, DH, device=dev),
            sync=torch.zeros(NH * B, device=dev, dtype=torch.int32), batch_begin=0)

def timed(fn, n=10):
    fn(); torch.cuda.synchronize()
    t0 = time.time()
    for _ in range(n): keep = fn()
    torch.cuda.synchronize()
    return (time.time() - t0) / n * 1e3

fwd_ms = timed(lambda: launch("forward", bufs))

# float64 LSTM reference (gate order i, f, z, o; states h, c), with autograd
W = wx.double().requires_grad_(); R_ = r.double().requires_grad_()
B_ = b.double().requires_grad_(); S0 = s0.double().requires_grad_()
h, c = S0[0], S0[1]
hs, cs = [], []
for t in range(T):
    g = torch.einsum("knji,bni->bknj", R_, h) + W[:, t] + B_[None]
    i, f, z, o = g[:, 0].sigmoid(), g[:, 1].sigmoid(), g[:, 2].tanh(), g[:, 3].sigmoid()
    c = f * c + i * z
    h = o * c.tanh()
    hs.append(h); cs.append(c)
ref_states = torch.stack([torch.stack(hs, 1), torch.stack(cs, 1)])
ref_last = torch.stack([h, c])
rel = lambda got, ref: ((got.double() - ref).norm() / ref.norm()).item()
line = (f"{pkg}: B={B} T={T} NH={NH} DH={DH} {man['dtype']} unwritten={torch.isnan(bufs['states']).sum().item()} "
        f"fw rel_err states={rel(bufs['states'], ref_states):.2e} last={rel(bufs['last'], ref_last):.2e} "
        f"fw {fwd_ms:.3f} ms")
if backward:
    dstates = torch.randn(S, B, T, NH, DH, device=dev).to(dt)
    dlast = torch.randn(S, B, NH, DH, device=dev).to(dt)
    loss = (ref_states * dstates.double()).sum() + (ref_last * dlast.double()).sum()
    loss.backward()
    bufs.update(saved_gates=nan(B, T, NA, NH, DH, dtype=torch.float32),
                saved_states=nan(S, B, T, NH, DH, dtype=torch.float32),
                dstates=dstates, dlast=dlast, dwx=nan(*wx.shape), ds0=nan(*s0.shape),
                dgates=nan(B, T, NA, NH, DH, dtype=torch.float32),
                dr=nan(*r.shape), db=nan(*b.shape))
    bwd = kernels["backward"]
    bufs_b = dict(bufs, h_exchange=torch.zeros(2, B, NH, G, DH, device=dev))
    def run_train():
        k1 = launch("forward_train", bufs)
        k2 = launch("backward", bufs_b)
        k3 = launch("backward_reduce", bufs_b)
        return (k1, k2, k3)
    fb_ms = timed(run_train)
    line += (f" | bw unwritten={sum(torch.isnan(bufs[n]).sum().item() for n in ('dwx','ds0','dr','db'))} "
             f"rel_err dwx={rel(bufs['dwx'], W.grad):.2e} dr={rel(bufs['dr'], R_.grad):.2e} "
             f"db={rel(bufs['db'], B_.grad):.2e} ds0={rel(bufs['ds0'], S0.grad):.2e} fw+bw {fb_ms:.3f} ms")
print(line)
