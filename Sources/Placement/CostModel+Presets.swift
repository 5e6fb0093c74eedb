extension CostModel {
    /// A100-80GB serving a 7B base model. Sources, per coefficient:
    /// - α ≈ 6 ms/step, β ≈ 35 µs/token: vLLM decode step latencies for Llama-2-7B on A100 reported in
    ///   the Punica paper (Chen et al., MLSys 2024, Fig. 9: ~11 ms at batch 1, ~25 ms at batch 32 for
    ///   decode; prefill ~0.15 ms/token) blended over a prefill-heavy conversation mix.
    /// - γ ≈ 0.06 µs per token·rank: Punica BGMV/SGMV microbenchmarks (Fig. 7) — adding rank-64 LoRA to
    ///   all projections costs ~10% of a decode step; S-LoRA (Sheng et al., 2023) Table 3 similar.
    /// - δ ≈ 0.3 ms per distinct adapter: weight reads, 7B rank-16 adapter ≈ 20 MiB at ~1.5 TB/s HBM
    ///   ≈ 15 µs plus gather/launch overheads seen in LoRAX per-adapter launch costs.
    /// - padded and batch-max engines share β; their γ applies to the padded/batch-max rank instead.
    /// - loads: disk ≈ 2 GB/s NVMe, host→GPU ≈ 20 GB/s PCIe4 (1–2 ms per 25 MB), peer ≈ 25 GB/s
    ///   NVLink/RDMA (GPUDirect), 2 ms setup.
    public static let a100Llama7B = CostModel(
        exact: .init(alphaSeconds: 0.006, betaSecondsPerToken: 35e-6, gammaSecondsPerTokenRank: 0.06e-6,
                     deltaSecondsPerAdapter: 0.0003),
        padded: .init(alphaSeconds: 0.006, betaSecondsPerToken: 35e-6, gammaSecondsPerTokenRank: 0.06e-6,
                      deltaSecondsPerAdapter: 0.0003),
        batchMax: .init(alphaSeconds: 0.006, betaSecondsPerToken: 35e-6, gammaSecondsPerTokenRank: 0.06e-6,
                        deltaSecondsPerAdapter: 0.0003),
        diskBytesPerSecond: 2e9, hostBytesPerSecond: 20e9, peerBytesPerSecond: 25e9, loadSetupSeconds: 0.002,
        source: "preset a100-llama7b: Punica (MLSys'24) Fig. 7/9, S-LoRA Table 3, PCIe4/NVLink nominal bandwidths")

    /// Adapter size for a Llama-7B-shaped model (32 layers, q,k,v,o at 4096×4096, fp16), bytes.
    public static func llama7BAdapterBytes(rank: Int) -> Int {
        // 4 modules × r × (d_in + d_out) × 2 bytes × 32 layers.
        4 * rank * (4096 + 4096) * 2 * 32
    }
}
