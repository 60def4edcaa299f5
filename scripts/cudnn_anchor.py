"""The cuDNN anchor of docs/PERFORMANCE.md: torch.nn.LSTM, hidden 768, T = 1024,
fp16 (cuDNN's persistent kernel) and bf16, B = 16, 64, 256; median of CUDA-event
times with the L2 cache flushed before each run, as flashrnn-bench does.
Run on the GPU machine: python3 scripts/cudnn_anchor.py (scripts/bench.sh calls it)."""
import torch
flush = torch.empty(128 << 20, dtype=torch.uint8, device="cuda")  # L2 flush, as flashrnn-bench
def bench(fn, n=10):
    for _ in range(3): fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(n):
        flush.zero_()
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record(); torch.cuda.synchronize(); ts.append(a.elapsed_time(b))
    ts.sort(); return ts[len(ts)//2]
print("| dtype | B | fw ms | fw+bw ms |\n|---|---|---|---|")
for dt in (torch.float16, torch.bfloat16):
    for B in (16, 64, 256):
        lstm = torch.nn.LSTM(768, 768, batch_first=True).cuda().to(dt)
        x = torch.randn(B, 1024, 768, device="cuda", dtype=dt, requires_grad=True)
        with torch.no_grad():
            fw = bench(lambda: lstm(x))
        def fwbw():
            y, _ = lstm(x); y.float().sum().backward()
        print(f"| {str(dt).split('.')[-1]} | {B} | {fw:.3f} | {bench(fwbw):.3f} |")
