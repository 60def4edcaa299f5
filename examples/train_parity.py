"""Trains a small model on a compiled cell to track the parity of a bit
stream, and compares its time per training step with the same model written
as a plain PyTorch loop and with torch.nn.LSTM.

Task: bits x_1..x_T (T = 256), target at every step y_t = x_1 xor ... xor
x_t. Nothing but a recurrent state can solve it: each target depends on
every earlier bit. Model: one-hot bits -> CellRNN(cell, NH heads of DH) ->
linear readout of h -> 2 classes; cross-entropy over every step. Accuracy is
per step on held-out sequences.

    PYTHONPATH=python python3 examples/train_parity.py [--cell examples/cifg_lstm.mlir]
        [--dtype f32] [--heads 1 --head-dim 64] [--seq 256] [--batch 128]
        [--max-steps 3000] [--time-budget 150]

Prints the training curve, then a table of time per training step
(forward, backward, optimiser step; CUDA-synchronised, median of 20) for
(a) the compiled cell, (b) the same cell as a PyTorch loop over time,
(c) torch.nn.LSTM of the same hidden size. Exit status 1 if the target
accuracy (99%) is not reached.
"""

import argparse
import os
import statistics
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "python"))
from flashrnn_mlir import CellRNN  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def batch(n, T, device, gen=None):
    bits = torch.randint(0, 2, (n, T), device=device, generator=gen)
    return bits, torch.cumsum(bits, 1) % 2


class Model(nn.Module):
    def __init__(self, rnn, hidden):
        super().__init__()
        self.rnn = rnn
        self.readout = nn.Linear(hidden, 2)

    def forward(self, bits):
        x = nn.functional.one_hot(bits, 2).float()
        h = self.rnn(x)
        h = h[0] if isinstance(h, tuple) else h
        return self.readout(h.float())


class LoopCIFG(nn.Module):
    """The CIFG-LSTM of examples/cifg_lstm.mlir as a PyTorch loop over time,
    with the parameters of a CellRNN (shared layouts), in its dtype."""

    def __init__(self, ref):
        super().__init__()
        self.ref = ref

    def forward(self, x):
        m = self.ref
        B, T, _ = x.shape
        NH, DH, dt = m.num_heads, m.head_dim, m.dtype
        wx = nn.functional.linear(x, m.weight_ih).view(B, T, 3, NH, DH).to(dt)
        R, b = m.R.to(dt), m.b.to(dt)
        h = torch.zeros(B, NH, DH, device=x.device, dtype=dt)
        c = torch.zeros_like(h)
        out = []
        for t in range(T):
            g = wx[:, t] + torch.einsum("bni,knji->bknj", h, R) + b
            f, z, o = torch.sigmoid(g[:, 0]), torch.tanh(g[:, 1]), \
                torch.sigmoid(g[:, 2])
            c = f * c + (1 - f) * z
            h = o * torch.tanh(c)
            out.append(h)
        return torch.stack(out, 1).reshape(B, T, NH * DH)


def accuracy(model, bits, target):
    with torch.no_grad():
        return (model(bits).argmax(-1) == target).float().mean().item()


def time_steps(model, args, device, n=20, warmup=3):
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    bits, target = batch(args.batch, args.seq, device)
    times = []
    for i in range(warmup + n):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        loss = nn.functional.cross_entropy(model(bits).flatten(0, 1),
                                           target.flatten())
        opt.zero_grad()
        loss.backward()
        opt.step()
        torch.cuda.synchronize()
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cell", default=os.path.join(HERE, "cifg_lstm.mlir"))
    ap.add_argument("--dtype", default="f32",
                    choices=["bf16", "f16", "f32"])
    ap.add_argument("--heads", type=int, default=1)
    ap.add_argument("--head-dim", type=int, default=64)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--max-steps", type=int, default=3000)
    ap.add_argument("--time-budget", type=float, default=150.0,
                    help="seconds of training at most")
    ap.add_argument("--target", type=float, default=0.99)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if not torch.cuda.is_available():
        print("no CUDA GPU: this example needs one")
        return 2
    torch.manual_seed(args.seed)
    device = "cuda"
    dtype = {"bf16": torch.bfloat16, "f16": torch.float16,
             "f32": torch.float32}[args.dtype]
    hidden = args.heads * args.head_dim
    rnn = CellRNN(args.cell, input_size=2, num_heads=args.heads,
                  head_dim=args.head_dim, dtype=dtype, device=device)
    model = Model(rnn, hidden).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    gen = torch.Generator(device=device).manual_seed(1234)
    test_bits, test_target = batch(1024, args.seq, device, gen)
    print(f"cell {os.path.basename(args.cell)}, {args.dtype}, NH={args.heads}"
          f" x DH={args.head_dim}, T={args.seq}, batch {args.batch}, "
          f"{sum(p.numel() for p in model.parameters())} parameters, "
          f"{torch.cuda.get_device_name()}")
    start = time.perf_counter()
    acc, step = 0.0, 0
    while step < args.max_steps:
        bits, target = batch(args.batch, args.seq, device)
        loss = nn.functional.cross_entropy(model(bits).flatten(0, 1),
                                           target.flatten())
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 50 == 0:
            acc = accuracy(model, test_bits, test_target)
            elapsed = time.perf_counter() - start
            print(f"step {step:5d}  loss {loss.item():.4f}  held-out "
                  f"accuracy {acc * 100:6.2f}%  {elapsed:6.1f} s", flush=True)
            if acc >= args.target or elapsed > args.time_budget:
                break
    reached = acc >= args.target
    print(f"{'reached' if reached else 'did NOT reach'} "
          f"{args.target * 100:.0f}% held-out accuracy: {acc * 100:.2f}% "
          f"after {step} steps, {time.perf_counter() - start:.1f} s")

    # Time per training step, same batch and sequence length.
    rows = [("flashrnn_mlir CellRNN (" + os.path.basename(args.cell) + ")",
             time_steps(model, args, device))]
    if os.path.basename(args.cell) == "cifg_lstm.mlir":
        loop_rnn = CellRNN(args.cell, input_size=2, num_heads=args.heads,
                           head_dim=args.head_dim, dtype=dtype,
                           device=device)
        loop = Model(LoopCIFG(loop_rnn), hidden).to(device)
        rows.append(("same cell, PyTorch loop over time",
                     time_steps(loop, args, device)))
    lstm = Model(nn.LSTM(2, hidden, batch_first=True), hidden).to(device)
    if dtype != torch.float32:
        lstm.rnn.to(dtype)
        lstm.forward = (lambda bits, m=lstm: m.readout(
            m.rnn(nn.functional.one_hot(bits, 2).to(dtype))[0].float()))
    rows.append((f"torch.nn.LSTM (cuDNN, hidden {hidden})",
                 time_steps(lstm, args, device)))
    print(f"\ntime per training step (B={args.batch}, T={args.seq}, "
          f"{args.dtype}, median of 20):")
    print("| model | ms/step |")
    print("|---|---|")
    for name, ms in rows:
        print(f"| {name} | {ms:.2f} |")
    return 0 if reached else 1


if __name__ == "__main__":
    sys.exit(main())
