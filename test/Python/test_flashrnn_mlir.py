"""Unit tests of python/flashrnn_mlir that need neither a GPU nor PyTorch:
the package cache (keys, hits without recompiling, a carried cache without a
compiler, a stale compiler, compile errors with the compiler's diagnostic),
argument validation on shapes, device and dtype names, and the runtime
binding's kernel argument shapes. With FLASHRNN_LIBCUDA pointing at the
stand-in driver (test/Runtime/FakeCuda.cpp) the device launches run end to
end on host memory. Tests needing PyTorch or a GPU are skipped with the
reason. Run from lit (test/Python/python-unit.test) or:

    PYTHONPATH=python python3 -m unittest test/Python/test_flashrnn_mlir.py
"""

import ctypes
import importlib.util
import json
import math
import os
import shutil
import tempfile
import unittest

import flashrnn_mlir
from flashrnn_mlir import cache, runtime, validate

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
EXAMPLES = os.path.join(REPO, "examples")
INPUTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs")
COMPILER = cache.find_compiler()
HAVE_TORCH = importlib.util.find_spec("torch") is not None


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


class CacheKeyTest(unittest.TestCase):
    def test_deterministic_and_sensitive(self):
        text = read(os.path.join(EXAMPLES, "lstm.mlir"))
        k = cache.cache_key(text, "bf16", 64)
        self.assertEqual(k, cache.cache_key(text, "bf16", 64, "sm_90", ()))
        others = [cache.cache_key(text, "f16", 64),
                  cache.cache_key(text, "bf16", 128),
                  cache.cache_key(text, "bf16", 64, "sm_80"),
                  cache.cache_key(text, "bf16", 64, options=("--batch-tile=4",)),
                  cache.cache_key(text + "\n// edited", "bf16", 64)]
        self.assertEqual(len(set(others + [k])), 6)

    def test_bad_arguments(self):
        with self.assertRaisesRegex(ValueError, "unsupported dtype 'f64'"):
            cache.cache_key("x", "f64", 64)
        with self.assertRaisesRegex(ValueError, "head_dim must be a positive"):
            cache.cache_key("x", "bf16", 0)

    def test_cache_dir_env(self):
        old = os.environ.get("FLASHRNN_CACHE")
        try:
            os.environ["FLASHRNN_CACHE"] = "/some/where"
            self.assertEqual(cache.cache_dir(), "/some/where")
            del os.environ["FLASHRNN_CACHE"]
            self.assertTrue(cache.cache_dir().endswith(
                os.path.join(".cache", "flashrnn-mlir")))
        finally:
            if old is not None:
                os.environ["FLASHRNN_CACHE"] = old


@unittest.skipIf(COMPILER is None, "flashrnn-compile not built (build/bin)")
class CompileCacheTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="flashrnn-cache-test-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_miss_then_hit(self):
        cell = os.path.join(EXAMPLES, "janet.mlir")
        before = dict(cache.stats)
        pkg = cache.compile_cell(cell, "f32", 32, cache=self.dir)
        self.assertEqual(cache.stats["compiles"], before["compiles"] + 1)
        self.assertTrue(os.path.isfile(os.path.join(pkg, "manifest.json")))
        m = load_json(os.path.join(pkg, "manifest.json"))
        self.assertEqual((m["cell"], m["dtype"], m["head_dim"]),
                         ("janet", "f32", 32))
        # Same cell by path or by text: a hit, no compiler run.
        self.assertEqual(cache.compile_cell(cell, "f32", 32, cache=self.dir),
                         pkg)
        self.assertEqual(cache.compile_cell(read(cell), "f32", 32,
                                            cache=self.dir), pkg)
        self.assertEqual(cache.stats["compiles"], before["compiles"] + 1)
        self.assertEqual(cache.stats["hits"], before["hits"] + 2)
        # Nothing but the entry is left in the cache (no temporaries).
        self.assertEqual(os.listdir(self.dir), [os.path.basename(pkg)])
        # A new dtype is a new package.
        self.assertNotEqual(cache.compile_cell(cell, "bf16", 32,
                                               cache=self.dir), pkg)

    def test_carried_cache_without_compiler(self):
        cell = os.path.join(EXAMPLES, "elman.mlir")
        pkg = cache.compile_cell(cell, "bf16", 16, cache=self.dir)
        old = os.environ.get("FLASHRNN_COMPILE")
        try:
            os.environ["FLASHRNN_COMPILE"] = os.path.join(self.dir, "absent")
            self.assertIsNone(cache.find_compiler())
            self.assertEqual(cache.compile_cell(cell, "bf16", 16,
                                                cache=self.dir), pkg)
            with self.assertRaisesRegex(cache.CompilerNotFoundError,
                                        "no flashrnn-compile found.*head_dim "
                                        "24"):
                cache.compile_cell(cell, "bf16", 24, cache=self.dir)
        finally:
            if old is None:
                del os.environ["FLASHRNN_COMPILE"]
            else:
                os.environ["FLASHRNN_COMPILE"] = old

    def test_other_compiler_rebuilds(self):
        cell = os.path.join(EXAMPLES, "elman.mlir")
        pkg = cache.compile_cell(cell, "f16", 16, cache=self.dir)
        meta = os.path.join(pkg, "flashrnn-cache.json")
        m = load_json(meta)
        m["compiler"] = "another compiler"
        with open(meta, "w", encoding="utf-8") as f:
            json.dump(m, f)
        n = cache.stats["compiles"]
        self.assertEqual(cache.compile_cell(cell, "f16", 16, cache=self.dir),
                         pkg)
        self.assertEqual(cache.stats["compiles"], n + 1)
        self.assertEqual(load_json(meta)["compiler"],
                         cache.compiler_identity(COMPILER))

    def test_compile_error_has_diagnostic(self):
        broken = os.path.join(INPUTS, "broken.mlir")
        with self.assertRaises(cache.CompileError) as cm:
            cache.compile_cell(broken, "bf16", 64, cache=self.dir)
        msg = str(cm.exception)
        self.assertIn("flashrnn-compile failed on " + broken, msg)
        self.assertIn(broken + ":6:8: error: 'math.sin' op in the body of "
                      "cell '@broken' has no derivative rule", msg)
        self.assertEqual([f for f in os.listdir(self.dir)], [])

    def test_missing_cell_and_package_dir(self):
        with self.assertRaisesRegex(FileNotFoundError, "cell file"):
            cache.compile_cell(os.path.join(self.dir, "nope.mlir"), "bf16",
                               64, cache=self.dir)
        with self.assertRaisesRegex(FileNotFoundError, "not a kernel package"):
            cache.compile_cell(self.dir, "bf16", 64)
        pkg = cache.compile_cell(os.path.join(EXAMPLES, "gru.mlir"), "bf16",
                                 16, cache=self.dir)
        self.assertEqual(cache.compile_cell(pkg, "bf16", 16), pkg)


class ValidateTest(unittest.TestCase):
    LSTM = (4, 4, 4, 2)  # Gw, Gr, Gb, S

    def test_good_shapes(self):
        self.assertEqual(validate.infer_sizes(
            self.LSTM, 64, (3, 7, 4, 2, 64), (4, 2, 64, 64), (4, 2, 64),
            (2, 3, 2, 64)), (3, 7, 2))

    def test_bad_shapes_name_the_tensor(self):
        cases = [
            (((3, 7, 3, 2, 64), (4, 2, 64, 64), (4, 2, 64), None),
             r"Wx must have shape \[B, T, Gw=4, NH, DH=64\], got "
             r"\[3, 7, 3, 2, 64\]"),
            (((3, 7, 4, 2), (4, 2, 64, 64), (4, 2, 64), None), "Wx must"),
            (((3, 7, 4, 2, 64), (4, 3, 64, 64), (4, 2, 64), None),
             r"R must have shape \[4, 2, 64, 64\].*got \[4, 3, 64, 64\]"),
            (((3, 7, 4, 2, 64), (4, 2, 64, 64), (2, 64), None),
             r"b must have shape \[4, 2, 64\]"),
            (((3, 7, 4, 2, 64), (4, 2, 64, 64), (4, 2, 64), (2, 4, 2, 64)),
             r"s0 must have shape \[2, 3, 2, 64\].*got \[2, 4, 2, 64\]"),
            (((0, 7, 4, 2, 64), (4, 2, 64, 64), (4, 2, 64), None),
             ">= 1"),
        ]
        for args, pattern in cases:
            with self.subTest(pattern=pattern):
                with self.assertRaisesRegex(ValueError, pattern):
                    validate.infer_sizes(self.LSTM, 64, *args)

    def test_placement(self):
        ok = [("Wx", "cuda:0", "bf16"), ("R", "cuda:0", "bf16")]
        validate.check_same_placement(ok)
        with self.assertRaisesRegex(TypeError, "R is on cpu.*CUDA tensors"):
            validate.check_same_placement([ok[0], ("R", "cpu", "bf16")])
        with self.assertRaisesRegex(TypeError, "b is on cuda:1 but Wx is on "
                                    "cuda:0"):
            validate.check_same_placement(ok + [("b", "cuda:1", "bf16")])
        with self.assertRaisesRegex(TypeError, "b is f32 but Wx is bf16"):
            validate.check_same_placement(ok + [("b", "cuda:0", "f32")])
        with self.assertRaisesRegex(ValueError, "unsupported dtype 'f64'"):
            validate.check_same_placement([("Wx", "cuda:0", "f64")])


@unittest.skipIf(COMPILER is None, "flashrnn-compile not built (build/bin)")
class RuntimeBindingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="flashrnn-cache-test-")
        cls.pkg = runtime.Package(cache.compile_cell(
            os.path.join(EXAMPLES, "gru.mlir"), "bf16", 32, cache=cls.dir))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_manifest(self):
        p = self.pkg
        self.assertEqual((p.cell, p.dtype, p.head_dim, p.counts),
                         ("gru", "bf16", 32, (3, 3, 4, 1)))
        self.assertEqual(p.state_inits, [0.0])

    def test_kernel_args(self):
        B, T, NH, DH = 5, 7, 3, 32
        fwd = dict((n, (s, d)) for n, s, d in
                   self.pkg.kernel_args("forward", B, T, NH))
        self.assertEqual(list(fwd), ["wx", "r", "b", "s0", "states", "last",
                                     "h_exchange", "sync"])
        self.assertEqual(fwd["wx"], ((B, T, 3, NH, DH), "bf16"))
        self.assertEqual(fwd["h_exchange"], ((2, B, NH, DH), "f32"))
        self.assertEqual(fwd["sync"][1], "i32")
        bwd = dict((n, (s, d)) for n, s, d in
                   self.pkg.kernel_args("backward", B, T, NH))
        # GRU's program reads 4 gate values (n is split: input and recurrent).
        self.assertEqual(bwd["dgates"], ((B, T, 4, NH, DH), "f32"))
        self.assertEqual(bwd["h_exchange"], ((2, B, NH, 3, DH), "f32"))
        red = [n for n, _, _ in self.pkg.kernel_args("backward_reduce", B, T,
                                                     NH)]
        self.assertEqual(red, ["s0", "saved_states", "dgates", "dr", "db",
                               "partial", "sync", "progress"])
        # The backward's progress words: started CTAs, then one per CTA.
        self.assertEqual(bwd["progress"][1], "i32")

    def test_kernel_arg_errors(self):
        with self.assertRaisesRegex(runtime.FlashRnnError,
                                    "unknown kernel kind 'nope'"):
            self.pkg.kernel_args("nope", 1, 1, 1)
        with self.assertRaisesRegex(runtime.FlashRnnError,
                                    "must be >= 1 .*B=0"):
            self.pkg.kernel_args("forward", 0, 1, 1)
        with self.assertRaisesRegex(runtime.FlashRnnError,
                                    "needs the buffer 'r'"):
            self.pkg.launch("forward", 1, 1, 1, {"wx": 1})
        with self.assertRaisesRegex(runtime.FlashRnnError,
                                    "has no buffer argument 'dwx'"):
            self.pkg.launch("forward", 1, 1, 1, {"dwx": 1})


@unittest.skipUnless(
    os.environ.get("FLASHRNN_LIBCUDA", "").endswith("fake-cuda.so"),
    "needs FLASHRNN_LIBCUDA set to the stand-in driver libflashrnn-fake-cuda.so")
@unittest.skipIf(COMPILER is None, "flashrnn-compile not built (build/bin)")
class FakeDeviceLaunchTest(unittest.TestCase):
    """A training pass through flashrnn_launch_device on the stand-in
    driver: its kernels check every descriptor against the contract and
    that `sync` was zeroed, and write known values (states = s0, ds0 =
    dlast, dwx = dr = db = 0)."""

    def setUp(self):
        # The stand-in driver's allocator and one JANET package (f32, DH 32).
        self.fake = ctypes.CDLL(os.environ["FLASHRNN_LIBCUDA"])
        self.fake.cuMemAlloc_v2.argtypes = [ctypes.POINTER(ctypes.c_uint64),
                                            ctypes.c_size_t]
        tmp = tempfile.mkdtemp(prefix="flashrnn-cache-test-")
        self.addCleanup(shutil.rmtree, tmp, True)
        self.pkg = runtime.Package(cache.compile_cell(
            os.path.join(EXAMPLES, "janet.mlir"), "f32", 32, cache=tmp))

    def test_training_pass(self):
        fake, pkg = self.fake, self.pkg
        B, T, NH = 11, 5, 2
        floats = {}

        def alloc(kind, given):
            out = dict(given)
            for name, shape, dtype in pkg.kernel_args(kind, B, T, NH):
                if name in out:
                    continue
                n = math.prod(shape)
                p = ctypes.c_uint64()
                self.assertEqual(fake.cuMemAlloc_v2(ctypes.byref(p), 4 * n), 0)
                out[name] = p.value
                floats[name, kind] = (ctypes.c_float * n).from_address(p.value)
                # Garbage in `sync`: the runtime must zero it per launch.
                # backward_reduce's `partial` is the caller's to zero once
                # (functional.py does; the kernel leaves it zero).
                fill = {"sync": -1.0, "partial": 0.0}.get(name, 0.5)
                for i in range(n):
                    floats[name, kind][i] = fill
            return out

        ft = alloc("forward_train", {})
        pkg.launch("forward_train", B, T, NH, ft)
        self.assertEqual(set(floats["states", "forward_train"]), {0.5})
        bw = alloc("backward", {n: ft[n] for n in
                                ("r", "s0", "saved_gates", "saved_states")})
        pkg.launch("backward", B, T, NH, bw)
        self.assertEqual(set(floats["dwx", "backward"]), {0.0})
        red = alloc("backward_reduce", {"s0": ft["s0"],
                                        "saved_states": ft["saved_states"],
                                        "dgates": bw["dgates"]})
        pkg.launch("backward_reduce", B, T, NH, red)
        self.assertEqual(set(floats["dr", "backward_reduce"]), {0.0})

    def test_misaligned_buffer_is_refused(self):
        # A view at an odd offset would fault inside the kernel ("misaligned
        # address"); the runtime names the buffer before launching.
        fake, pkg = self.fake, self.pkg
        B, T, NH = 3, 2, 1
        buffers = {}
        for name, shape, dtype in pkg.kernel_args("forward", B, T, NH):
            p = ctypes.c_uint64()
            self.assertEqual(
                fake.cuMemAlloc_v2(ctypes.byref(p), 4 * math.prod(shape) + 8), 0)
            buffers[name] = p.value
        buffers["r"] += 2
        with self.assertRaisesRegex(Exception,
                                    "buffer 'r' at 0x[0-9a-f]+ is not 16-byte aligned"):
            pkg.launch("forward", B, T, NH, buffers)
        # Naturally aligned but not to 16 bytes: the states are written as
        # 16-byte runs.
        buffers["r"] -= 2
        buffers["states"] += 8
        with self.assertRaisesRegex(Exception,
                                    "buffer 'states' at 0x[0-9a-f]+ is not 16-byte aligned"):
            pkg.launch("forward", B, T, NH, buffers)


class TorchTest(unittest.TestCase):
    def test_torch_parts(self):
        if not HAVE_TORCH:
            self.skipTest("PyTorch not installed (the GPU tests are "
                          "test/Python/gpu_cells.py, run on a GPU machine)")
        import torch
        if not torch.cuda.is_available():
            self.skipTest("no CUDA GPU (torch.cuda.is_available() is False)")
        from flashrnn_mlir import rnn
        x = torch.zeros(1, 2, 4, 1, 16)
        with self.assertRaisesRegex(TypeError, "Wx is on cpu"):
            rnn(os.path.join(EXAMPLES, "lstm.mlir"), x,
                torch.zeros(4, 1, 16, 16), torch.zeros(4, 1, 16))


if __name__ == "__main__":
    unittest.main()
