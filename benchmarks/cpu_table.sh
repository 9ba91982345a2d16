#!/usr/bin/env bash
# Every CPU figure of docs/performance.md (and the README's summary of it), rerun in one run, so
# that each ratio's seedkit side and baseline come from the same machine state (issue 14: "CPU
# figures in the README are rerun, in one run, against the same baselines"). Run from the
# repository root on a quiet machine, with an interpreter that has jax and, for the philox-vs-TF
# rows, tensorflow-cpu too (TF is never a dependency: without it those rows are skipped):
#
#     PYTHON=/path/to/python bash benchmarks/cpu_table.sh     # logs go to $OUT (./cpu_table_out)
set -u
OUT="${OUT:-$PWD/cpu_table_out}"
mkdir -p "$OUT"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export TF_CPP_MIN_LOG_LEVEL=3
export JAX_PLATFORMS=cpu
PY="${PYTHON:-python}"
{
    date -u +%Y-%m-%dT%H:%MZ
    git rev-parse --short HEAD 2>/dev/null
    "$PY" -c "import jax, numpy; print('jax', jax.__version__, 'numpy', numpy.__version__, jax.devices())"
    nproc
    uptime
} >"$OUT/env.log" 2>&1
: >"$OUT/summary.log"
for script in bench_stateless bench_platforms bench_stateful bench_generator bench_function \
    bench_counters bench_philox bench_philox_samplers; do
    t0=$SECONDS
    "$PY" "benchmarks/$script.py" >"$OUT/$script.log" 2>&1
    echo "$script: rc=$?, $((SECONDS - t0)) s" | tee -a "$OUT/summary.log"
done
