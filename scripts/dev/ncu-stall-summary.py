"""Summarises an `ncu --page source --csv --print-source sass` export: the
stall reasons over the whole kernel and over its time loop (the longest
backward branch), and the instructions with the most samples, each with
its leading reasons.

    python3 scripts/dev/ncu-stall-summary.py SOURCE_CSV [TOP]"""
import csv
import re
import signal
import sys
from collections import Counter


def rows(path):
    with open(path, newline="") as f:
        lines = list(csv.reader(f))
    header = next(i for i, r in enumerate(lines) if r and r[0] == "Address")
    names = lines[header]
    for r in lines[header + 1:]:
        if len(r) == len(names):
            yield dict(zip(names, r))


def num(x):
    try:
        return float(x)
    except ValueError:
        return 0.0


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    data = list(rows(path))
    reasons = [k for k in data[0] if k.startswith("stall_") and "Not Issued" not in k]
    addr = [int(r["Address"], 16) for r in data]
    # The time loop: the backward branch spanning the most instructions.
    loop = (0, len(data) - 1)
    best = 0
    for i, r in enumerate(data):
        m = re.search(r"BRA\s+(?:`\(\.L_x_\d+\)|0x([0-9a-f]+))", r["Source"])
        if m and m.group(1):
            target = int(m.group(1), 16)
            if target < addr[i]:
                j = addr.index(target) if target in addr else None
                if j is not None and i - j > best:
                    best, loop = i - j, (j, i)
    total = sum(num(r["Warp Stall Sampling (All Samples)"]) for r in data)
    inloop = data[loop[0]:loop[1] + 1]
    print(f"{len(data)} SASS instructions, {total:.0f} samples; time loop "
          f"{len(inloop)} instructions, "
          f"{sum(num(r['Warp Stall Sampling (All Samples)']) for r in inloop):.0f} samples")
    for name, part in (("kernel", data), ("time loop", inloop)):
        c = Counter()
        for r in part:
            for k in reasons:
                c[k] += num(r[k])
        s = sum(c.values()) or 1
        print(f"{name}: " + ", ".join(f"{k[6:]} {100 * v / s:.1f}%"
                                      for k, v in c.most_common(8) if v))
    print(f"top {top} instructions by samples:")
    for r in sorted(data, key=lambda r: -num(r["Warp Stall Sampling (All Samples)"]))[:top]:
        n = num(r["Warp Stall Sampling (All Samples)"])
        lead = sorted(((num(r[k]), k[6:]) for k in reasons), reverse=True)[:3]
        why = ", ".join(f"{k} {v:.0f}" for v, k in lead if v)
        print(f"{n:7.0f} {100 * n / total:5.1f}%  {r['Source'].strip():55s} {why}")
    print("time loop in order (samples, instruction, leading reason):")
    for r in inloop:
        n = num(r["Warp Stall Sampling (All Samples)"])
        lead = max(((num(r[k]), k[6:]) for k in reasons))
        print(f"{n:6.0f}  {r['Source'].strip():55s} {lead[1] if lead[0] else ''}")


signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet under `| head`
main()
