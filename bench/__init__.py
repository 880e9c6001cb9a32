"""Benchmarks (measurements, not tests) and the data builders they share with the tests."""
