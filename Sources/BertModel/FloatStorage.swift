/// An immutable, 64-byte-aligned float array with a stable address, so kernels can take raw
/// pointers to weights without `withUnsafeBufferPointer` nesting.
final class FloatStorage: @unchecked Sendable {
    // @unchecked Sendable: filled once in init, never written afterwards; freed in deinit.
    let pointer: UnsafePointer<Float>
    let count: Int

    init(_ values: [Float]) {
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(values.count, 1))
        _ = buffer.initialize(from: values)
        pointer = UnsafePointer(buffer.baseAddress ?? UnsafeMutablePointer<Float>.allocate(capacity: 1))
        count = values.count
    }

    deinit { UnsafeMutablePointer(mutating: pointer).deallocate() }
}

/// Scratch memory owned by one context (one caller at a time); grows, never shrinks.
struct ScratchBuffer {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var capacity: Int

    init() {
        pointer = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        capacity = 0
    }

    mutating func reserve(_ count: Int) {
        guard count > capacity else { return }
        pointer.deallocate()
        pointer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        capacity = count
    }

    func free() { pointer.deallocate() }
}
