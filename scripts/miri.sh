#!/usr/bin/env bash
# Runs the channel core from OS threads under Miri (undefined behaviour, data
# races, use-after-free in the unsafe code of chan/ and runtime/{wait,park,sudog}).
#
#   scripts/miri.sh [TEST_TARGET ...]   (default: the three below)
#
# Only thread tests: Miri cannot run corosensei's stack switch, so nothing that
# starts a goroutine is run here. The targets are thread-only throughout:
#   chan_semantics          every channel rule from OS threads
#   chan_drop               drop accounting (each value dropped exactly once)
#   chan_threads_go_ports   Go's channel tests on OS threads
# Under cfg(miri) the tests use Miri-sized iteration counts.
#
# Flags, each with its reason:
#   -Zmiri-disable-isolation  the select PRNG is seeded from the real-time clock
#                             (runtime/rand.rs), and the tests' probes sleep on
#                             the host clock.
#   -Zmiri-ignore-leaks       tests leave threads blocked forever on purpose (a
#                             nil channel, `select {}`: Go's semantics), which
#                             Miri otherwise reports as leaked memory and threads
#                             at exit. No other leak is expected; valgrind.sh
#                             checks leaks of the whole suite.
# A failure is a real failure: no test is skipped under Miri by name.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --component miri
rustup +nightly component list --installed | grep -q '^miri' || rustup +nightly component add miri
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target/miri}
export MIRIFLAGS="${MIRIFLAGS:-} -Zmiri-disable-isolation -Zmiri-ignore-leaks"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(chan_semantics chan_drop chan_threads_go_ports)
args=()
for t in "${targets[@]}"; do args+=(--test "$t"); done
cargo +nightly miri setup >/dev/null
start=$(date +%s)
cargo +nightly miri test --no-fail-fast -p csp-core "${args[@]}"
echo "miri.sh: ${targets[*]}: passed in $(( $(date +%s) - start ))s"
