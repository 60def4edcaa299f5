set -u
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $OUT/build.log 2>&1 && ninja -C build-gpu >> $OUT/build.log 2>&1 || { tail -20 $OUT/build.log; exit 2; }
B=build-gpu/bin/flashrnn-bench
{
for p in lstm-bf16-dh64 lstm-bf16-dh64-sliced; do
  timeout 150 $B gpu-packages/$p --shape 16,1024,12 --shape 2,1024,12 --backward --repeat 10
done
timeout 60 $B gpu-packages/lstm-bf16-dh64 --shape 64,1024,12 --shape 256,1024,12 --backward --no-check --repeat 5
timeout 60 $B gpu-packages/lstm-bf16-dh64-sliced --shape 64,1024,12 --shape 256,1024,12 --backward --no-check --repeat 5
} > $OUT/bench.txt 2>&1
cat $OUT/bench.txt
mkdir -p q && for p in gru-bf16-dh64-sliced slstm-bf16-dh64-sliced lstm-bf16-dh2048; do cp -r gpu-packages/$p q/; done
LOGS_DIR=/tmp/logs timeout 200 bash scripts/gpu-check.sh --packages q --no-sanitizer --repeat 5 > $OUT/check.txt 2>&1; echo check rc=$?
tail -12 $OUT/check.txt
timeout 100 bash scripts/profile.sh > $OUT/prof.txt 2>&1; echo prof rc=$?; tail -8 $OUT/prof.txt
tar czf $OUT/logs.tgz -C /tmp logs 2>/dev/null; ls $OUT
