"""The performance harness of SPEC.md section 10: ``python -m benchmarks`` prints figures beside targets."""
