(module
  (func (export "forever") (loop br 0)))
