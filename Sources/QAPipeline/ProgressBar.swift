import Foundation
import Synchronization

/// A one-line progress bar on stderr (`label [#####.....] 45/120  12.3 s  eta 15 s`), redrawn in
/// place with "\r"; stdout stays clean for `--json`. Silent when `enabled` is false.
public final class ProgressBar: Sendable {
    private let state = Mutex<(label: String, started: ContinuousClock.Instant, lastDraw: ContinuousClock.Instant?)>(("", .now, nil))
    public let enabled: Bool

    public init(enabled: Bool = true) { self.enabled = enabled }

    /// Draws `label` at `done` of `total` (at most 10 redraws a second, always the last one).
    public func update(_ label: String, _ done: Int, _ total: Int) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let line: String? = state.withLock { s in
            if s.label != label { s = (label, now, nil) }
            if let last = s.lastDraw, now - last < .milliseconds(100), done < total { return nil }
            s.lastDraw = now
            return Self.render(label: label, done: done, total: total, elapsed: Self.seconds(now - s.started))
        }
        if let line {
            FileHandle.standardError.write(Data(("\r" + line + (done >= total ? "\n" : "")).utf8))
        }
    }

    /// A plain status line (ends the current bar).
    public func note(_ message: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    public static func render(label: String, done: Int, total: Int, elapsed: Double, width: Int = 30) -> String {
        let fraction = total > 0 ? min(max(Double(done) / Double(total), 0), 1) : 1
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        var s = "\(label) [\(bar)] \(done)/\(total) " + String(format: "%.1f s", elapsed)
        if done > 0, done < total {
            s += String(format: "  eta %.0f s", elapsed / Double(done) * Double(total - done))
        }
        return s
    }

    public static func seconds(_ d: Duration) -> Double {
        let (s, atto) = d.components
        return Double(s) + Double(atto) * 1e-18
    }
}
