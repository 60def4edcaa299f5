// How many thread-block clusters of 2..16 CTAs (one CTA per SM, forced by
// its shared memory) the device holds at once: cudaOccupancyMaxActiveClusters.
// The planner's batch variants compare waves of clusters with waves of a
// cooperative grid; this is the cluster side's wave size.
//   nvcc -arch=sm_90 -o /tmp/cc scripts/dev/cluster-capacity.cu && /tmp/cc
#include <cstdio>
#include <cuda_runtime.h>

__global__ void probe(int *out) {
  extern __shared__ int buffer[];
  buffer[threadIdx.x] = threadIdx.x;
  __syncthreads();
  if (out) out[blockIdx.x] = buffer[0];
}

static bool ok(cudaError_t e, const char *what) {
  if (e == cudaSuccess) return true;
  std::fprintf(stderr, "cluster-capacity: %s: %s\n", what, cudaGetErrorString(e));
  return false;
}

int main() {
  cudaDeviceProp prop;
  if (!ok(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties")) return 1;
  size_t shared = 150 * 1024; // more than half an SM's shared memory: 1 CTA/SM
  if (!ok(cudaFuncSetAttribute(probe, cudaFuncAttributeMaxDynamicSharedMemorySize,
                               int(shared)), "max dynamic shared") ||
      !ok(cudaFuncSetAttribute(probe, cudaFuncAttributeNonPortableClusterSizeAllowed, 1),
          "non-portable clusters"))
    return 1;
  std::printf("%s: %d SMs\n", prop.name, prop.multiProcessorCount);
  for (int c = 2; c <= 16; c += 2) {
    cudaLaunchConfig_t config = {};
    config.gridDim = dim3(c * 64, 1, 1);
    config.blockDim = dim3(256, 1, 1);
    config.dynamicSmemBytes = shared;
    cudaLaunchAttribute attr;
    attr.id = cudaLaunchAttributeClusterDimension;
    attr.val.clusterDim.x = c;
    attr.val.clusterDim.y = 1;
    attr.val.clusterDim.z = 1;
    config.attrs = &attr;
    config.numAttrs = 1;
    int clusters = 0;
    if (!ok(cudaOccupancyMaxActiveClusters(&clusters, probe, &config), "max active clusters"))
      return 1;
    std::printf("cluster of %2d CTAs: %2d at once (%3d SMs busy)\n", c, clusters, c * clusters);
  }
  return 0;
}
