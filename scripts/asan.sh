#!/usr/bin/env bash
# Runs csp-core's runtime and channel tests under AddressSanitizer (nightly
# `-Zsanitizer=address`), with corosensei's `sanitizer` feature (the csp-core
# feature of the same name) so that ASan follows every goroutine stack switch.
#
#   scripts/asan.sh [TEST_TARGET ...]   (default: every integration test below)
#
# `--target` keeps the sanitizer off the proc-macro crates (host builds).
# std is not rebuilt with ASan (no -Zbuild-std): its own code is unchecked, but
# every allocation it makes for us is.
#
# ASAN_OPTIONS, each with its reason:
#   detect_leaks=0   tests leave threads blocked forever on purpose (nil
#                    channels, `select {}`) and abandon parked goroutines when
#                    `run` returns (Go's semantics); their memory is reported
#                    as leaked at exit. Leaks are checked by valgrind.sh.
#   handle_segv=0    the runtime's own SIGSEGV handler must see a goroutine's
#                    guard-page fault to print "goroutine stack overflow"
#                    (rt_stack checks it); ASan's handler would report it as a
#                    stack overflow of the thread instead.
#   use_sigaltstack=0  the runtime gives worker threads their alternate signal
#                    stacks itself.
# Skipped targets: loom (a model-checker build), dsl_ui (trybuild runs rustc;
# none of our code runs), soak (hours-long by design), rt_stack_scavenge (it
# measures RSS: ASan's shadow memory and its quarantine of freed memory keep
# the pages that the test checks are returned).
# Skipped tests: rt_stack's out_of_mappings_panics_with_the_remedy and
# map_count_exhaustion_panics_with_the_remedy use up vm.max_map_count on
# purpose, after which ASan's own mmap fails ("AddressSanitizer: out of
# memory") before the runtime's message can be checked.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly
host=$(rustc +nightly -vV | sed -n 's/^host: //p')
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target/asan}
export RUSTFLAGS="${RUSTFLAGS:-} -Zsanitizer=address"
export RUSTDOCFLAGS="${RUSTDOCFLAGS:-} -Zsanitizer=address"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:handle_segv=0:use_sigaltstack=0}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in csp-core/tests/*.rs; do
    t=$(basename "$f" .rs)
    case "$t" in loom|dsl_ui|soak|rt_stack_scavenge) continue ;; esac
    targets+=("$t")
  done
fi
args=()
for t in "${targets[@]}"; do args+=(--test "$t"); done
start=$(date +%s)
cargo +nightly test --target "$host" -p csp-core --features sanitizer --no-fail-fast "${args[@]}" \
  -- --skip out_of_mappings_panics_with_the_remedy --skip map_count_exhaustion_panics_with_the_remedy
echo "asan.sh: ${#targets[@]} test targets passed in $(( $(date +%s) - start ))s"
