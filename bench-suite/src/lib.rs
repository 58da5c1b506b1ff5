//! Benchmark workloads for csp and its peers (filled by the benchmark issue).
