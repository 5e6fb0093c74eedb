/// Errors thrown by the Kernels module (only when describing a matrix; the maths never throws).
public enum KernelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `cols` is not a whole number of blocks of `format`.
    case columnsNotBlockAligned(format: WeightFormat, cols: Int, blockElements: Int)
    /// A dimension was negative or zero.
    case invalidShape(rows: Int, cols: Int)
    /// The matrix would need more bytes than `Int` can count.
    case sizeOverflow(rows: Int, cols: Int)

    public var description: String {
        switch self {
        case let .columnsNotBlockAligned(format, cols, blockElements):
            return "KernelError: \(cols) columns are not a multiple of the \(format) block size \(blockElements)"
        case let .invalidShape(rows, cols):
            return "KernelError: invalid matrix shape \(rows) x \(cols) (both must be > 0)"
        case let .sizeOverflow(rows, cols):
            return "KernelError: a \(rows) x \(cols) matrix overflows the addressable byte count"
        }
    }
}
