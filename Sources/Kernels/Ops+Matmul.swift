extension Ops {
    /// Below this many tokens a matmul quantises the activations to int8 and uses integer dot
    /// products (Q4_0/Q4_1/Q8_0); from it on, tiles of weight rows are dequantised to F32 once and
    /// reused across all tokens by the register-blocked F32 micro-kernel.
    static let tiledTokenThreshold = 4
    /// Weight rows per parallel chunk in the per-token (decode) path.
    static let decodeChunkRows = 96

    /// y[t*w.rows + r] = Σ_k W[r,k] · x[t*w.cols + k] for t in 0..<tokens.
    ///
    /// Q4_0/Q4_1/Q8_0 at fewer than 4 tokens quantise each activation row to int8 blocks first (as
    /// llama.cpp does), so results differ from exact F32 by at most Σ_k |W[r,k]|·d_b/2 where d_b
    /// is the activation block's scale max|x_block|/127. All other cases are F32 with F32 sums.
    public static func matmul(_ w: WeightMatrix, x: UnsafePointer<Float>, tokens: Int, y: UnsafeMutablePointer<Float>, pool: ThreadPool?) {
        guard tokens > 0 else { return }
        let integerPath = w.format == .q4_0 || w.format == .q4_1 || w.format == .q8_0
        if integerPath && tokens < tiledTokenThreshold {
            matmulQuantizedActivations(w, x: x, tokens: tokens, y: y, pool: pool)
        } else if tokens < tiledTokenThreshold {
            matmulRowwise(w, x: x, tokens: tokens, y: y, pool: pool)
        } else {
            matmulTiled(w, x: x, tokens: tokens, y: y, pool: pool)
        }
    }

    static func forChunks(_ count: Int, chunk: Int, pool: ThreadPool?, _ body: (Range<Int>) -> Void) {
        let chunks = (count + chunk - 1) / chunk
        if let pool, chunks > 1 {
            pool.parallelFor(chunks) { i in body((i * chunk)..<min(count, (i + 1) * chunk)) }
        } else {
            for i in 0..<chunks { body((i * chunk)..<min(count, (i + 1) * chunk)) }
        }
    }

    static func matmulQuantizedActivations(_ w: WeightMatrix, x: UnsafePointer<Float>, tokens: Int, y: UnsafeMutablePointer<Float>, pool: ThreadPool?) {
        let cols = w.cols, rows = w.rows, blocks = cols / 32
        let stride = QuantizedRow.scratchBytes(cols: cols)
        withUnsafeTemporaryAllocation(byteCount: stride * tokens, alignment: 64) { scratch in
            guard let base = scratch.baseAddress else { return }
            var qrows: (QuantizedRow, QuantizedRow, QuantizedRow) = (
                QuantizedRow(scratch: base, cols: cols), QuantizedRow(scratch: base, cols: cols), QuantizedRow(scratch: base, cols: cols))
            for t in 0..<tokens {
                let row = QuantizedRow(scratch: base + t * stride, cols: cols)
                row.quantize(x + t * cols, cols: cols)
                switch t { case 0: qrows.0 = row; case 1: qrows.1 = row; default: qrows.2 = row }
            }
            let format = w.format
            let chunk = decodeChunkRows
            let qr = qrows
            forChunks(rows, chunk: chunk, pool: pool) { range in
                for r in range {
                    let p = w.rowPointer(r)
                    for t in 0..<tokens {
                        let xr = t == 0 ? qr.0 : (t == 1 ? qr.1 : qr.2)
                        let v: Float
                        switch format {
                        case .q4_1: v = QuantDot.q4(p, hasMin: true, xr, blocks: blocks)
                        case .q4_0: v = QuantDot.q4(p, hasMin: false, xr, blocks: blocks)
                        default: v = QuantDot.q8(p, xr, blocks: blocks)
                        }
                        y[t * rows + r] = v
                    }
                }
            }
        }
    }

    /// Few tokens, float formats: dequantise each row once, dot it with every token.
    static func matmulRowwise(_ w: WeightMatrix, x: UnsafePointer<Float>, tokens: Int, y: UnsafeMutablePointer<Float>, pool: ThreadPool?) {
        let cols = w.cols, rows = w.rows
        forChunks(rows, chunk: decodeChunkRows, pool: pool) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: cols) { buffer in
                guard let row = buffer.baseAddress else { return }
                for r in range {
                    let wr: UnsafePointer<Float>
                    if w.format == .f32 {
                        wr = w.rowPointer(r).assumingMemoryBound(to: Float.self)
                    } else {
                        dequantizeRow(w, row: r, into: row)
                        wr = UnsafePointer(row)
                    }
                    for t in 0..<tokens { y[t * rows + r] = dot(wr, x + t * cols, count: cols) }
                }
            }
        }
    }

    /// Many tokens: dequantise a tile of weight rows to F32 once and multiply it with a chunk of
    /// tokens. The tile (≤ ~256 KB) stays in L2 while 3-token slices of x stream through L1, so x
    /// is re-read once per tile rather than once per 16 rows.
    static func matmulTiled(_ w: WeightMatrix, x: UnsafePointer<Float>, tokens: Int, y: UnsafeMutablePointer<Float>, pool: ThreadPool?) {
        let cols = w.cols, rows = w.rows
        let tile = tiledRowCount(cols: cols, rows: rows, tokens: tokens, threads: pool?.threadCount ?? 1)
        let tokenChunk = 96
        let rowTiles = (rows + tile - 1) / tile, tokenChunks = (tokens + tokenChunk - 1) / tokenChunk
        let unit: (Int) -> Void = { i in
            let r0 = (i % rowTiles) * tile, t0 = (i / rowTiles) * tokenChunk
            let tileRowCount = min(tile, rows - r0), chunkTokens = min(tokenChunk, tokens - t0)
            if w.format == .f32 {
                let wr = w.rowPointer(r0).assumingMemoryBound(to: Float.self)
                GemmMicroKernel.block(w: wr, ldw: cols, rows: tileRowCount, x: x + t0 * cols, ldx: cols, tokens: chunkTokens,
                                      k: cols, c: y + t0 * rows + r0, ldc: rows)
                return
            }
            withUnsafeTemporaryAllocation(of: Float.self, capacity: tile * cols) { buffer in
                guard let wt = buffer.baseAddress else { return }
                for i in 0..<tileRowCount { dequantizeRow(w, row: r0 + i, into: wt + i * cols) }
                GemmMicroKernel.block(w: wt, ldw: cols, rows: tileRowCount, x: x + t0 * cols, ldx: cols, tokens: chunkTokens,
                                      k: cols, c: y + t0 * rows + r0, ldc: rows)
            }
        }
        let units = rowTiles * tokenChunks
        if let pool, units > 1 { pool.parallelFor(units, unit) } else { for i in 0..<units { unit(i) } }
    }

    /// Rows per tile: as many as keep the F32 tile near 192 KB (a multiple of 4, 16...128), but
    /// no more than gives every thread ~4 tiles.
    static func tiledRowCount(cols: Int, rows: Int, tokens: Int, threads: Int) -> Int {
        let byBytes = max(16, min(128, (192 * 1024) / (4 * cols))) & ~3
        let byBalance = max(16, (rows / (4 * max(threads, 1)) + 3) & ~3)
        return min(byBytes, byBalance)
    }

    /// C[m×n] = A[m×k] · B[n×k]ᵀ, all row-major F32 (B's rows are the outputs, like a weight).
    public static func gemmNT(a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, pool: ThreadPool?) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            for i in 0..<(m * n) { c[i] = 0 }
            return
        }
        // Split over blocks of outputs (B rows) and of A rows so both shapes parallelise.
        let nBlock = 32, mBlock = 48
        let nBlocks = (n + nBlock - 1) / nBlock, mBlocks = (m + mBlock - 1) / mBlock
        let run: (Int) -> Void = { i in
            let nb = i % nBlocks, mb = i / nBlocks
            let n0 = nb * nBlock, m0 = mb * mBlock
            GemmMicroKernel.block(w: b + n0 * k, ldw: k, rows: min(nBlock, n - n0), x: a + m0 * k, ldx: k,
                                  tokens: min(mBlock, m - m0), k: k, c: c + m0 * n + n0, ldc: n)
        }
        let total = nBlocks * mBlocks
        if let pool, total > 1, m * n * k >= 32_768 { pool.parallelFor(total, run) } else { for i in 0..<total { run(i) } }
    }
}

