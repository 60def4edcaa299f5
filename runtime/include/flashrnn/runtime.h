/*===- flashrnn/runtime.h - FlashRNN runtime C ABI -----------------*- C -*-===*\
|*                                                                            *|
|* Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).                     *|
|*                                                                            *|
|*===----------------------------------------------------------------------===*|
|*                                                                            *|
|* The stable C interface of libflashrnn_runtime: load a kernel package       *|
|* (docs/PACKAGE.md), query it, run the float64 CPU reference forward and    *|
|* backward through time, and run the package's forward and training        *|
|* kernels on a GPU (the CUDA driver is loaded at run time; no GPU is needed *|
|* to link). Every tensor is a dense, C-ordered host buffer in the public    *|
|* layouts (docs/RUNTIME.md):                                                 *|
|*   Wx [B,T,Gw,NH,DH]  R [Gr,NH,DH,DH]  b [Gb,NH,DH]  s0 [S,B,NH,DH]         *|
|*   states [S,B,T,NH,DH]  last [S,B,NH,DH]                                   *|
|* Functions returning int return FLASHRNN_OK (0) on success, else an error   *|
|* code, and flashrnn_last_error() describes the last failure of the calling  *|
|* thread.                                                                    *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef FLASHRNN_RUNTIME_H
#define FLASHRNN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define FLASHRNN_API __declspec(dllexport)
#else
#define FLASHRNN_API __attribute__((visibility("default")))
#endif

/* Bumped on every incompatible change to this header. */
#define FLASHRNN_ABI_VERSION 1

enum FlashRnnStatus {
  FLASHRNN_OK = 0,
  FLASHRNN_ERROR_INVALID_ARGUMENT = 1, /* null pointer, bad size, bad index */
  FLASHRNN_ERROR_PACKAGE = 2,          /* package missing or malformed */
  FLASHRNN_ERROR_UNAVAILABLE = 3,      /* no CUDA driver/GPU, no GPU kernel */
  FLASHRNN_ERROR_INTERNAL = 4,
  FLASHRNN_ERROR_DEVICE = 5 /* a CUDA call failed, a kernel does not fit the
                               device, or it left outputs unwritten */
};

typedef struct FlashRnnPackage FlashRnnPackage;

/* FLASHRNN_ABI_VERSION of the library actually loaded. */
FLASHRNN_API int flashrnn_abi_version(void);
/* Package format version this runtime reads (docs/PACKAGE.md). */
FLASHRNN_API int flashrnn_package_format_version(void);

/* The last error of the calling thread ("" if none). Valid until the next
 * call into the library from the same thread. */
FLASHRNN_API const char *flashrnn_last_error(void);

/* Loads and validates DIR/manifest.json. Returns NULL on failure. */
FLASHRNN_API FlashRnnPackage *flashrnn_package_load(const char *dir);
FLASHRNN_API void flashrnn_package_free(FlashRnnPackage *pkg);

/* Queries. Strings live as long as the package. */
FLASHRNN_API const char *flashrnn_package_cell(const FlashRnnPackage *pkg);
/* "bf16", "f16", "f32" or "f64" */
FLASHRNN_API const char *flashrnn_package_dtype(const FlashRnnPackage *pkg);
FLASHRNN_API int64_t flashrnn_package_head_dim(const FlashRnnPackage *pkg);
/* Leading dimensions Gw, Gr, Gb and S; any pointer may be NULL. */
FLASHRNN_API int flashrnn_package_counts(const FlashRnnPackage *pkg,
                                         int *wx_gates, int *r_gates,
                                         int *b_gates, int *states);
FLASHRNN_API int flashrnn_package_num_gates(const FlashRnnPackage *pkg);
/* NULL (and an error) if the index is out of range. */
FLASHRNN_API const char *flashrnn_package_gate_name(const FlashRnnPackage *pkg,
                                                    int gate);
FLASHRNN_API const char *flashrnn_package_state_name(const FlashRnnPackage *pkg,
                                                     int state);
FLASHRNN_API int flashrnn_package_recurrent_state(const FlashRnnPackage *pkg);
/* 1 if the cell's program uses flashrnn.stop_gradient. */
FLASHRNN_API int flashrnn_package_uses_stop_gradient(const FlashRnnPackage *pkg);

/* Rounds n values in place to the package dtype (round to nearest even), so
 * that the CPU reference sees exactly what a GPU kernel would. */
FLASHRNN_API int flashrnn_round_to_dtype(const FlashRnnPackage *pkg,
                                         double *values, int64_t n);

/* CPU reference, float64, threads over (batch, head). s0 may be NULL (every
 * state starts at its manifest init value). r (b) may be NULL when the
 * package has no R (b) rows. */
FLASHRNN_API int flashrnn_reference_forward(const FlashRnnPackage *pkg,
                                            int64_t batch, int64_t seq,
                                            int64_t heads, const double *wx,
                                            const double *r, const double *b,
                                            const double *s0, double *states,
                                            double *last);

/* Gradients for dL/dstates = dstates and dL/dlast = dlast (either may be NULL
 * meaning zero). states is the forward's output (NULL: recomputed). Writes
 * dwx, dr, db and ds0 (gradient w.r.t. s0, or w.r.t. the init values
 * broadcast to [S,B,NH,DH] when s0 is NULL); all four are required, except
 * dr (db) when the package has no R (b) rows. */
FLASHRNN_API int flashrnn_reference_backward(
    const FlashRnnPackage *pkg, int64_t batch, int64_t seq, int64_t heads,
    const double *wx, const double *r, const double *b, const double *s0,
    const double *states, const double *dstates, const double *dlast,
    double *dwx, double *dr, double *db, double *ds0);

/* Number of threads the CPU reference uses (0 = hardware concurrency). */
FLASHRNN_API void flashrnn_set_reference_threads(int threads);

/*===----------------------------------------------------------------------===*\
|* CUDA backend (docs/RUNTIME.md). libcuda.so.1 is loaded on first use      *|
|* (FLASHRNN_LIBCUDA overrides the path); device 0 is used                  *|
|* (CUDA_VISIBLE_DEVICES selects it).                                       *|
\*===----------------------------------------------------------------------===*/

/* 1 if the CUDA driver loads and sees a GPU, else 0, and
 * flashrnn_last_error() says why ("no CUDA driver: libcuda.so.1 not found
 * (this machine has no NVIDIA driver)", ...). */
FLASHRNN_API int flashrnn_cuda_available(void);

/* Writes a description of device 0 ("NVIDIA H100 80GB HBM3 (sm_90, 132 SMs,
 * 79.1 GiB, driver 12.4)"), NUL-terminated and truncated to fit `size`
 * bytes. FLASHRNN_ERROR_UNAVAILABLE without a GPU. */
FLASHRNN_API int flashrnn_cuda_device_name(char *buffer, size_t size);

/* 1 if the package has a valid forward GPU kernel, 0 if it has none (a
 * CPU-only package), -1 if its `kernels` entries are malformed
 * (flashrnn_last_error() names the field). Needs no GPU. */
FLASHRNN_API int flashrnn_package_has_gpu_forward(const FlashRnnPackage *pkg);

/* Runs the package's forward kernel on device 0; arguments as
 * flashrnn_reference_forward (inputs are rounded to the package dtype on
 * upload; outputs are converted to float64). Outputs the kernel did not write
 * are an error. With repeat > 0 and median_ms non-NULL, the whole forward is
 * then run once more untimed and `repeat` times timed with CUDA events, and
 * *median_ms receives the median (inputs stay on the device). */
FLASHRNN_API int flashrnn_gpu_forward(const FlashRnnPackage *pkg,
                                      int64_t batch, int64_t seq,
                                      int64_t heads, const double *wx,
                                      const double *r, const double *b,
                                      const double *s0, double *states,
                                      double *last, int repeat,
                                      double *median_ms);

/* 1 if the package has valid GPU training kernels (forward_train, backward
 * and backward_reduce), 0 if one is missing, -1 if its `kernels` entries are
 * malformed (flashrnn_last_error() names the field). Needs no GPU. */
FLASHRNN_API int flashrnn_package_has_gpu_backward(const FlashRnnPackage *pkg);

/* Runs a training pass on device 0: forward_train, backward, then
 * backward_reduce. Inputs as flashrnn_reference_backward (s0 may be NULL:
 * init values; dstates, dlast may be NULL: zero; r/b and dr/db may be NULL
 * when the package has no R/b rows), rounded to the package dtype on
 * upload. Writes states and last (as flashrnn_gpu_forward) and the
 * gradients dwx, dr, db, ds0 in float64. Outputs the kernels did not write
 * are an error. With repeat > 0 and median_ms non-NULL, the whole pass is
 * then run once more untimed and `repeat` times timed with CUDA events, and
 * *median_ms receives the median. */
FLASHRNN_API int flashrnn_gpu_backward(
    const FlashRnnPackage *pkg, int64_t batch, int64_t seq, int64_t heads,
    const double *wx, const double *r, const double *b, const double *s0,
    const double *dstates, const double *dlast, double *states, double *last,
    double *dwx, double *dr, double *db, double *ds0, int repeat,
    double *median_ms);

/* The per-kernel split of the last timed flashrnn_gpu_backward of the
 * calling thread: the median times (ms) of forward_train, backward and
 * backward_reduce, each between CUDA events recorded around it in every
 * timed pass. Each is -1 when no timed pass has run. Never fails. */
FLASHRNN_API void flashrnn_gpu_backward_split(double *forward_train_ms,
                                              double *backward_ms,
                                              double *reduce_ms);

/* Whether flashrnn_gpu_backward may run a tensor-core backward_reduce beside
 * the backward, on a second stream, starting each slice of steps as soon as
 * the backward has stored it (1, the default), or must run it after the
 * backward (0; for measurements). Applies to the calling thread. */
FLASHRNN_API void flashrnn_gpu_set_reduce_overlap(int enabled);

/* Whether the last flashrnn_gpu_backward of the calling thread ran the
 * reduction beside the backward (1) or after it (0); -1 before any. With 1,
 * the split's reduce_ms is the part of the reduction after the backward's
 * end. Never fails. */
FLASHRNN_API int flashrnn_gpu_backward_overlapped(void);

/* The kernel entry the last successful flashrnn_gpu_forward (its forward
 * kernel) or flashrnn_gpu_backward (its forward_train kernel) of the calling
 * thread ran: where a package has batch variants, the one chosen for that
 * batch on this device. "" before any. Valid until the thread's next GPU
 * call. Never fails. */
FLASHRNN_API const char *flashrnn_gpu_last_kernel(void);

/*===----------------------------------------------------------------------===*\
|* Launches on the caller's device buffers (frameworks: the PyTorch binding *|
|* in python/flashrnn_mlir). Asynchronous: nothing is allocated, copied or  *|
|* synchronised; the caller allocates every buffer (shapes from             *|
|* flashrnn_kernel_arg), keeps them alive until the stream has run the      *|
|* kernel, and orders the kinds on one stream.                               *|
\*===----------------------------------------------------------------------===*/

/* Number of buffer arguments of the package's kernel of `kind` ("forward",
 * "forward_train", "backward", "backward_reduce"), or -1 (no such kernel,
 * malformed `kernels`; the error says which). Needs no GPU. */
FLASHRNN_API int flashrnn_kernel_num_args(const FlashRnnPackage *pkg,
                                          const char *kind);

/* The buffer argument `index` of the kernel of `kind` for sizes B, T, NH, in
 * parameter order: its name ("wx", "saved_gates", "sync", ...), its dense
 * row-major shape (rank <= 8 values written to `shape`) and its element type
 * ("bf16", "f16", "f32" for the public tensors; "f32" or "i32" for
 * workspaces). Any output pointer may be NULL. Needs no GPU. */
FLASHRNN_API int flashrnn_kernel_arg(const FlashRnnPackage *pkg,
                                     const char *kind, int64_t batch,
                                     int64_t seq, int64_t heads, int index,
                                     const char **name, int *rank,
                                     int64_t *shape, const char **dtype);

/* Launches the package's kernel of `kind` for sizes B, T, NH on the CUstream
 * `stream` (NULL: the legacy stream) in the calling thread's current
 * context (device 0's primary context if none is current). `names[i]` ->
 * `device_pointers[i]` must name every buffer argument of the kind exactly
 * once (NULL only for an empty tensor), each dense with the shape
 * flashrnn_kernel_arg gives. The runtime fills `batch_begin`, zeroes `sync`
 * on the stream before every launch, checks co-residency and splits the
 * batch of a cooperative kernel, and opts in to large dynamic shared
 * memory. The PTX module is loaded once per package and context. Errors
 * are reported at launch; faults inside the kernel surface at the caller's
 * next synchronisation. */
FLASHRNN_API int flashrnn_launch_device(const FlashRnnPackage *pkg,
                                        const char *kind, int64_t batch,
                                        int64_t seq, int64_t heads,
                                        int num_buffers, const char **names,
                                        void **device_pointers, void *stream);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FLASHRNN_RUNTIME_H */
