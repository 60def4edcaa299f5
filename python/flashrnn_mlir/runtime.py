"""ctypes binding of libflashrnn_runtime (the C ABI of
runtime/include/flashrnn/runtime.h). No PyTorch, no compiler: loading a
package and querying its kernels' buffer shapes need no GPU either."""

import ctypes
import json
import os

_REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
_LIB_NAME = "libflashrnn_runtime.so"

_STATUS = {1: "invalid argument", 2: "package", 3: "unavailable",
           4: "internal", 5: "device"}


class RuntimeLibraryError(RuntimeError):
    """The runtime library cannot be found or loaded."""


class FlashRnnError(RuntimeError):
    """A runtime call failed; the message is flashrnn_last_error()."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class DeviceUnavailableError(FlashRnnError):
    """No CUDA driver or GPU, or the package has no GPU kernel."""


def library_candidates():
    env = os.environ.get("FLASHRNN_RUNTIME_LIB")
    if env:
        return [env]
    return [os.path.join(_REPO, d, "lib", _LIB_NAME)
            for d in ("build", "build-gpu", "build-rt")]


_lib = None


def library():
    """The loaded runtime library (once per process)."""
    global _lib
    if _lib is not None:
        return _lib
    tried = []
    for path in library_candidates():
        if os.path.isfile(path):
            try:
                lib = ctypes.CDLL(path)
                break
            except OSError as e:
                tried.append(f"{path}: {e}")
        else:
            tried.append(f"{path}: not found")
    else:
        raise RuntimeLibraryError(
            "cannot load the FlashRNN runtime library (build it with "
            "`cmake -G Ninja -S runtime -B build-gpu && ninja -C build-gpu`, "
            "or set FLASHRNN_RUNTIME_LIB); tried:\n  " + "\n  ".join(tried))
    c = ctypes
    P, I, I64, S = c.c_void_p, c.c_int, c.c_int64, c.c_char_p
    sigs = {
        "flashrnn_abi_version": (I, []),
        "flashrnn_last_error": (S, []),
        "flashrnn_package_load": (P, [S]),
        "flashrnn_package_free": (None, [P]),
        "flashrnn_package_counts": (I, [P] + [c.POINTER(I)] * 4),
        "flashrnn_kernel_num_args": (I, [P, S]),
        "flashrnn_kernel_arg": (I, [P, S, I64, I64, I64, I,
                                    c.POINTER(S), c.POINTER(I),
                                    c.POINTER(I64), c.POINTER(S)]),
        "flashrnn_launch_device": (I, [P, S, I64, I64, I64, I,
                                       c.POINTER(S), c.POINTER(P), P]),
        "flashrnn_cuda_available": (I, []),
    }
    for name, (res, args) in sigs.items():
        fn = getattr(lib, name, None)
        if fn is None:
            raise RuntimeLibraryError(
                f"{path} lacks {name}: the library is older than this "
                "package; rebuild the runtime")
        fn.restype, fn.argtypes = res, args
    _lib = lib
    return lib


def _error(status, what):
    msg = library().flashrnn_last_error().decode("utf-8", "replace")
    cls = DeviceUnavailableError if status == 3 else FlashRnnError
    return cls(status, f"{what}: {msg}" if msg else
               f"{what}: {_STATUS.get(status, status)} error")


class Package:
    """A loaded kernel package: the manifest, and its kernels' launches on
    caller-owned device buffers."""

    def __init__(self, directory):
        self.directory = os.fspath(directory)
        lib = library()
        self._handle = lib.flashrnn_package_load(self.directory.encode())
        if not self._handle:
            raise _error(2, f"cannot load package {self.directory!r}")
        with open(os.path.join(self.directory, "manifest.json"),
                  encoding="utf-8") as f:
            self.manifest = json.load(f)
        m = self.manifest
        self.cell = m["cell"]
        self.dtype = m["dtype"]
        self.head_dim = m["head_dim"]
        cnt = m["counts"]
        self.counts = (cnt["wx_gates"], cnt["r_gates"], cnt["b_gates"],
                       cnt["states"])
        self.state_names = [s["name"] for s in m["states"]]
        self.state_inits = [float(s["init"]) for s in m["states"]]
        self.recurrent_state = m["recurrent_state"]
        self._args = {}

    def __del__(self):
        handle, self._handle = getattr(self, "_handle", None), None
        if handle and _lib is not None:
            _lib.flashrnn_package_free(handle)

    def kernel_args(self, kind, batch, seq, heads):
        """[(name, shape, dtype)] of the kernel's buffer arguments, in
        parameter order (memoised)."""
        key = (kind, batch, seq, heads)
        if key in self._args:
            return self._args[key]
        lib = library()
        n = lib.flashrnn_kernel_num_args(self._handle, kind.encode())
        if n < 0:
            raise _error(1, f"{self.directory}: kernel {kind!r}")
        out = []
        for i in range(n):
            name, dtype = ctypes.c_char_p(), ctypes.c_char_p()
            rank = ctypes.c_int()
            shape = (ctypes.c_int64 * 8)()
            rc = lib.flashrnn_kernel_arg(
                self._handle, kind.encode(), batch, seq, heads, i,
                ctypes.byref(name), ctypes.byref(rank), shape,
                ctypes.byref(dtype))
            if rc:
                raise _error(rc, f"{self.directory}: kernel {kind!r}")
            out.append((name.value.decode(), tuple(shape[:rank.value]),
                        dtype.value.decode()))
        self._args[key] = out
        return out

    def launch(self, kind, batch, seq, heads, buffers, stream=0):
        """Launches the kernel of `kind` on `buffers` (name -> device
        pointer as int) on the CUstream `stream` (int; 0 = legacy)."""
        names = list(buffers)
        c_names = (ctypes.c_char_p * len(names))(*[n.encode() for n in names])
        c_ptrs = (ctypes.c_void_p * len(names))(*[buffers[n] or None
                                                  for n in names])
        rc = library().flashrnn_launch_device(
            self._handle, kind.encode(), batch, seq, heads, len(names),
            c_names, c_ptrs, stream or None)
        if rc:
            raise _error(rc, f"{self.cell} {kind} kernel")
