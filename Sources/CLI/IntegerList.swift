import Foundation

/// Comma-separated integer options ("1,32,128"), shared by the bench commands.
enum IntegerList {
    /// The integers of `text`, or [] when any item is not an integer in `allowed` (the caller's
    /// `validate()` turns that into a usage error).
    static func parse(_ text: String, allowed: ClosedRange<Int>) -> [Int] {
        let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.allSatisfy({ $0.map(allowed.contains) ?? false }) else { return [] }
        return parts.compactMap { $0 }
    }
}
