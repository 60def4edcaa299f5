# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "FLASHRNN"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.flashrnn_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(
    ("%examples", os.path.join(config.flashrnn_src_root, "examples")))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

bin_dir = os.path.join(config.flashrnn_obj_root, "bin")
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", bin_dir, append_path=True)

if config.ptxas and os.path.exists(config.ptxas):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", config.ptxas))

# The Python binding's tests (test/Python) run with lit's own interpreter.
import sys

config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("%flashrnn_src", config.flashrnn_src_root))
config.substitutions.append(("%flashrnn_obj", config.flashrnn_obj_root))
