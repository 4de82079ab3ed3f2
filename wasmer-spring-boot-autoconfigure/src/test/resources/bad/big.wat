(module (memory (export "memory") 10))
