"""Times the benchmark plugins (ExtismBenchmark's calls) with Extism's own runtime, inside its Python host.

Needs the PyPI packages extism and extism-sys (Extism's runtime, Wasmtime underneath, as a prebuilt library):
    python3 -m venv /tmp/extism-venv && /tmp/extism-venv/bin/pip install extism==1.1.1 extism-sys==1.41.0
    /tmp/extism-venv/bin/python benchmarks/extism/bench_extism.py benchmarks/target/classes/extism
Prints one line per call: plugin, call, median ns per call over 7 rounds.
"""
import os
import statistics
import sys
import time

import extism


@extism.host_fn(name="shout", namespace="extism:host/user")
def shout(text: bytes) -> bytes:
    return text


CALLS = [("echo", 0), ("echo", 1024), ("echo", 65536), ("echo", 1048576), ("greet_json", None)]


def main(directory):
    for name in ("rust-plugin", "go-plugin"):
        with open(os.path.join(directory, name + ".wasm"), "rb") as f:
            plugin = extism.Plugin(f.read(), wasi=True, functions=[shout])
        for function, size in CALLS:
            data = os.urandom(size) if size is not None else b'{"name":"Ada","age":36}'
            out = plugin.call(function, data)
            assert out == data or function == "greet_json", function
            n = max(20, min(20000, 200_000_000 // (size or 1) // 100))
            rounds = []
            for _ in range(7):
                t = time.perf_counter_ns()
                for _ in range(n):
                    plugin.call(function, data)
                rounds.append((time.perf_counter_ns() - t) / n)
            label = function + ("" if size is None else " " + str(size))
            print(f"{name}\t{label}\t{statistics.median(rounds):.0f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
