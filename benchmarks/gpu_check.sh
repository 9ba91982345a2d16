#!/usr/bin/env bash
# Issue 14's GPU check, in one run of a few minutes, for a session that has a GPU machine
# (an H200 with JAX 0.11.x CUDA, PyTorch, CuPy, pytest-xdist; no network). Run from the
# repository root:
#
#     bash benchmarks/gpu_check.sh            # logs go to $OUT (or ./gpu_check_out)
#     SIZES=1e5 PYTHON=.venv/bin/python bash benchmarks/gpu_check.sh   # a dry run on a CPU
#
# Steps, each with its own log and time limit, none stopping the next:
#   1. versions and devices                                     -> env.log
#   2. golden, TF-fixture and philox tests, pytest -n 8         -> tests.log (failures: -rf)
#   3. CPU-vs-GPU differences per sampler (count, max ulp)      -> diff.log
#   4. bench_platforms.py --sizes 1e7,1e8,1e9                   -> bench.log
# A summary of each step's exit status goes to summary.log (and to stdout).
set -u
OUT="${OUT:-$PWD/gpu_check_out}"
mkdir -p "$OUT"
export XLA_PYTHON_CLIENT_PREALLOCATE=false
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export TF_CPP_MIN_LOG_LEVEL=3
PY="${PYTHON:-python}"
: >"$OUT/summary.log"

step() {  # step NAME LIMIT_SECONDS COMMAND...: run, log, record status and time
    local name="$1" limit="$2"
    shift 2
    local t0=$SECONDS
    timeout "$limit" "$@" >"$OUT/$name.log" 2>&1
    local rc=$?
    echo "$name: rc=$rc, $((SECONDS - t0)) s (limit $limit s)" | tee -a "$OUT/summary.log"
    tail -n 25 "$OUT/$name.log"
}

step env 30 bash -c "$PY - <<'PYEOF'
import jax, numpy, sys
print(sys.version)
print('jax', jax.__version__, 'devices', jax.devices())
for m in ('jaxlib', 'torch', 'cupy', 'xdist', 'hypothesis', 'scipy', 'ml_dtypes'):
    try:
        print(m, __import__(m).__version__)
    except Exception as e:
        print(m, 'not importable:', type(e).__name__)
PYEOF
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true"

# pytest-xdist when importable (8 workers); else one process (slower: about 6 minutes on 2 CPUs)
XDIST=$("$PY" -c "import xdist" 2>/dev/null && echo "-n 8")
# shellcheck disable=SC2086
step tests 240 "$PY" -m pytest -p no:cacheprovider -q $XDIST -rf --tb=line \
    tests/test_goldens.py tests/test_philox.py tests/test_stateful_philox.py \
    tests/test_generator_philox.py tests/test_tf_binomial.py tests/test_tf_categorical.py \
    tests/test_tf_gamma.py tests/test_tf_inputs.py tests/test_tf_poisson.py \
    tests/test_platform_hazards.py

step diff 90 "$PY" benchmarks/compare_devices.py --n 200000

step bench 210 "$PY" benchmarks/bench_platforms.py --sizes "${SIZES:-1e7,1e8,1e9}" --rounds 10 --calls 3

echo "logs in $OUT: $(ls "$OUT" | tr '\n' ' ')"
