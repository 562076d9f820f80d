;; bigmem.wat — a memory of 4 pages (256 KiB) minimum, for --max-memory.
(module
  (memory 4)
  (func (export "size") (result i32) (memory.size)))
