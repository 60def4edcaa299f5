"""Argument checks that need neither PyTorch nor a GPU.

They take shapes, device names and dtype names, so that the binding's error
messages are tested in CI; functional.py feeds them from tensors.
"""

#: The element types the GPU kernels support (docs/PACKAGE.md).
DTYPES = ("bf16", "f16", "f32")


def check_dtype_name(dtype):
    if dtype not in DTYPES:
        raise ValueError(f"unsupported dtype {dtype!r}: the kernels run "
                         f"{', '.join(DTYPES)}")


def _fmt(shape):
    return "[" + ", ".join(str(d) for d in shape) + "]"


def infer_sizes(counts, head_dim, wx, r, b, s0=None):
    """(B, T, NH) from the shapes of Wx, R, b and s0 (None: absent) for a
    package with `counts` = (Gw, Gr, Gb, S) and head dimension DH. Raises
    ValueError naming the tensor, the expected shape and the one given."""
    gw, gr, gb, ns = counts
    dh = head_dim
    wx, r, b = tuple(wx), tuple(r), tuple(b)
    if len(wx) != 5 or wx[2] != gw or wx[4] != dh:
        raise ValueError(
            f"Wx must have shape [B, T, Gw={gw}, NH, DH={dh}], got {_fmt(wx)}")
    B, T, _, NH, _ = wx
    if B < 1 or T < 1 or NH < 1:
        raise ValueError(f"Wx {_fmt(wx)}: B, T and NH must be >= 1")
    expect = {"R": ((gr, NH, dh, dh), r), "b": ((gb, NH, dh), b)}
    if s0 is not None:
        expect["s0"] = ((ns, B, NH, dh), tuple(s0))
    for name, (want, got) in expect.items():
        if want != got:
            raise ValueError(
                f"{name} must have shape {_fmt(want)} (from Wx {_fmt(wx)}: "
                f"B={B}, NH={NH}, DH={dh}; the cell has Gw={gw}, Gr={gr}, "
                f"Gb={gb}, S={ns}), got {_fmt(got)}")
    return B, T, NH


def check_same_placement(tensors):
    """`tensors`: (name, device, dtype) triples, device as 'cuda:0' or
    'cpu', dtype as a name. Raises TypeError for a tensor that is not on a
    CUDA device, for tensors on different devices or of different dtypes,
    and ValueError for an unsupported dtype."""
    for name, device, _ in tensors:
        if not str(device).startswith("cuda"):
            raise TypeError(
                f"{name} is on {device}: flashrnn_mlir.rnn runs on CUDA "
                "tensors (move them with .cuda())")
    first_name, first_device, first_dtype = tensors[0]
    for name, device, dtype in tensors[1:]:
        if str(device) != str(first_device):
            raise TypeError(f"{name} is on {device} but {first_name} is on "
                            f"{first_device}: all tensors must be on one "
                            "device")
        if dtype != first_dtype:
            raise TypeError(f"{name} is {dtype} but {first_name} is "
                            f"{first_dtype}: all tensors must have one dtype")
    check_dtype_name(first_dtype)
