"""The performance harness (benchmarks/README.md); a package only for its settings and URLs."""
