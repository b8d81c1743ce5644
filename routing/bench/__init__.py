"""Standard routing benchmarks: instance readers, conversion to the engine, verifier, JSON."""
