// Seeded mutation fuzzer for the GGUF reader.
//
//   GGUFFuzz [--iterations N] [--seed S] [--real PATH] [--time-parse PATH] [--write-corpus DIR]
//
// Mutates a corpus (a small generated file at two alignments; with --real, a compact rewrite of
// that model and its literal header region) and feeds each input to `GGUFFuzzing.check`.
// Prints counts by outcome kind; exits 1 if any accepted input broke an invariant (a crash
// ends the run on its own). --time-parse reports parse time of one real file and exits;
// --write-corpus saves the seed corpus as files (a starting corpus for libFuzzer) and exits.
import Foundation
import GGUF
import ServeCore

struct Options {
    var iterations = 300_000
    var seed: UInt64 = 1
    var realPath: String?
    var timePath: String?
    var corpusDirectory: String?
}

func parseOptions() -> Options? {
    var options = Options()
    var args = CommandLine.arguments.dropFirst().makeIterator()
    while let arg = args.next() {
        switch arg {
        case "--iterations": guard let v = args.next().flatMap(Int.init) else { return nil }; options.iterations = v
        case "--seed": guard let v = args.next().flatMap(UInt64.init) else { return nil }; options.seed = v
        case "--real": options.realPath = args.next()
        case "--time-parse": options.timePath = args.next()
        case "--write-corpus": options.corpusDirectory = args.next()
        default: return nil
        }
    }
    return options
}

func readFile(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { [UInt8]($0) }
}

func timeParse(_ path: String) -> Int32 {
    guard let bytes = readFile(path) else { print("cannot read \(path)"); return 2 }
    let owned = GGUFFuzzing.owned(bytes)
    var best = Duration.seconds(1000)
    var tensors = 0
    for _ in 0..<10 {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let file = try GGUFFile(bytes: owned)
            tensors = file.tensors.count
        } catch {
            print("parse failed: \(error)"); return 1
        }
        best = min(best, clock.now - start)
    }
    print("parsed \(path): \(tensors) tensors, best of 10: \(best)")
    return 0
}

func buildCorpus(_ options: Options) -> [(name: String, bytes: [UInt8], weight: Int)]? {
    var corpus: [(name: String, bytes: [UInt8], weight: Int)] = [
        ("small-a32", GGUFFuzzing.smallSeed(), 50),
        ("small-a64-v2", GGUFFuzzing.smallSeed(alignment: 64, version: 2), 10),
    ]
    if let path = options.realPath {
        guard let bytes = readFile(path) else { print("cannot read \(path)"); return nil }
        do {
            let file = try GGUFFile(bytes: GGUFFuzzing.owned(bytes))
            corpus.append(("real-compact", GGUFFuzzing.compactSeed(from: file), 39))
            corpus.append(("real-header", Array(bytes[0..<file.dataOffset]), 1))
        } catch {
            print("real file rejected: \(error)"); return nil
        }
    }
    return corpus
}

func writeCorpus(_ options: Options, to directory: String) -> Int32 {
    guard let corpus = buildCorpus(options) else { return 2 }
    for entry in corpus {
        let path = directory + "/" + entry.name + ".gguf"
        guard FileManager.default.createFile(atPath: path, contents: Data(entry.bytes)) else {
            print("cannot write \(path)"); return 2
        }
        print("wrote \(path) (\(entry.bytes.count) bytes)")
    }
    return 0
}

func fuzz(_ options: Options) -> Int32 {
    guard let corpus = buildCorpus(options) else { return 2 }
    let totalWeight = corpus.reduce(0) { $0 + $1.weight }
    var rng = SplitMix64(seed: options.seed)
    var counts: [String: Int] = [:]
    var perSeed: [String: Int] = [:]
    var violations = 0
    let clock = ContinuousClock()
    let start = clock.now
    for i in 0..<options.iterations {
        var pick = Int.random(in: 0..<totalWeight, using: &rng)
        var seedIndex = 0
        while pick >= corpus[seedIndex].weight { pick -= corpus[seedIndex].weight; seedIndex += 1 }
        let input = GGUFFuzzing.mutate(corpus[seedIndex].bytes, rng: &rng)
        perSeed[corpus[seedIndex].name, default: 0] += 1
        switch GGUFFuzzing.check(input) {
        case .accepted: counts["accepted", default: 0] += 1
        case .rejected(let error): counts[error.kind, default: 0] += 1
        case .invariantViolated(let what):
            violations += 1
            counts["INVARIANT VIOLATED", default: 0] += 1
            if violations <= 10 { print("iteration \(i) (seed \(corpus[seedIndex].name)): \(what)") }
        }
    }
    let elapsed = clock.now - start
    print("GGUFFuzz: \(options.iterations) inputs, seed \(options.seed), \(elapsed)")
    for (name, n) in perSeed.sorted(by: { $0.key < $1.key }) { print("  corpus \(name): \(n)") }
    for (kind, n) in counts.sorted(by: { $0.value > $1.value }) { print("  \(kind): \(n)") }
    return violations == 0 ? 0 : 1
}

guard let options = parseOptions() else {
    print("usage: GGUFFuzz [--iterations N] [--seed S] [--real PATH] [--time-parse PATH] [--write-corpus DIR]")
    exit(2)
}
if let path = options.timePath { exit(timeParse(path)) }
if let directory = options.corpusDirectory { exit(writeCorpus(options, to: directory)) }
exit(fuzz(options))
