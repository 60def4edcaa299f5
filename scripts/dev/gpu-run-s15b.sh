#!/usr/bin/env bash
# Fifteenth session, second call: the variants s15a did not check in float64
# (GRU 640 from 4 pairs, Elman and JANET 1024 from 5: B = 40 and 64), the
# wave size of 16-CTA clusters (cudaOccupancyMaxActiveClusters, and LSTM 768
# at B = 56, 7 pairs), and the s15a rows retimed once more.
# Packages: bash scripts/dev/make-s15a-packages.sh (gpu-packages/).
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
/usr/local/cuda/bin/nvcc -arch=sm_90 -o /tmp/cc scripts/dev/cluster-capacity.cu && /tmp/cc | tee $O/clusters.txt
chosen() {
  timeout 60 $R $P/$1 --random 2 --batch $2 --seq 8 --heads $3 --device cuda 2>&1 | grep -E "batch variant|rror" | head -2
}
{ for p in gru-bf16-dh640 elman-bf16-dh1024 janet-bf16-dh1024 lstm-bf16-dh768; do
    check $p 40 40 1 8
    check $p 64 40 1 9
    echo "$p B=40: $(chosen $p 40 1)"
  done; } > $O/check.txt 2>&1
check_summary $O/check.txt
grep -E "B=40:" $O/check.txt
stamp checked
for p in lstm-bf16-dh768 elman-bf16-dh1024 gru-bf16-dh640; do
  echo "# $p variants"; T=120 bench $p 7 --shape 24,1024,1 --shape 48,1024,1 --shape 56,1024,1 --shape 64,1024,1
  echo "# $p off"; FLASHRNN_BATCH_VARIANTS=off T=120 bench $p 7 --shape 24,1024,1 --shape 48,1024,1 --shape 56,1024,1 --shape 64,1024,1
done > $O/bench.txt 2>&1
tables $O/bench.txt
stamp benched
