"""Counts the SASS instructions of each kernel's time loop (the longest
backward branch) in `cuobjdump -sass` output, by opcode family.

    python3 scripts/dev/sass-loop-counts.py SASS_FILE [TAG ...]

The file may hold several dumps one after another (as gpu-run-ldmatrix.sh
writes them); TAGs name them in order (default: 1, 2, ...)."""
import re
import sys
from collections import Counter

KEYS = ["HMMA", "LDSM", "LDS", "LDG", "STG", "STS", "MUFU", "FADD", "FMUL",
        "FFMA", "IADD3", "IMAD", "SHF", "PRMT", "LOP3", "ISETP", "SEL", "BAR"]


def kernels(path):
    """(name, [(address, instruction)]) per kernel, in file order."""
    found, current = [], None
    for line in open(path):
        m = re.search(r"Function : (\w+)", line)
        if m:
            current = (m.group(1), [])
            found.append(current)
            continue
        m = re.match(r"\s+/\*([0-9a-f]{4,})\*/\s+(.*?)\s*;", line)
        if m and current:
            current[1].append((int(m.group(1), 16), m.group(2).strip()))
    return found


def loop_body(code):
    loop = None
    for at, text in code:
        m = re.search(r"BRA (0x[0-9a-f]+)", text)
        if m and int(m.group(1), 16) < at:
            start = int(m.group(1), 16)
            if loop is None or at - start > loop[1] - loop[0]:
                loop = (start, at)
    if loop is None:
        return []
    return [t for a, t in code
            if loop[0] <= a <= loop[1] and not t.startswith("NOP")]


def main():
    path, tags = sys.argv[1], sys.argv[2:]
    seen = Counter()
    for name, code in kernels(path):
        dump = seen[name]
        seen[name] += 1
        tag = tags[dump] if dump < len(tags) else str(dump + 1)
        body = loop_body(code)
        ops = Counter(re.sub(r"^@!?U?P\w+\s+", "", t).split()[0].split(".")[0]
                      for t in body)
        print(f"{tag:5} {name:24} loop {len(body):4} | " +
              " ".join(f"{k}:{ops.get(k, 0)}" for k in KEYS))


if __name__ == "__main__":
    main()
