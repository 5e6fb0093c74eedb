#!/usr/bin/env python3
"""Measure llama.cpp (llama-cpp-python) on the same GGUF as `loraserve bench engine`.

Same figures, same definitions: prefill tokens/s for 64- and 512-token prompts (one eval call on a
fresh context) and single-stream decode tokens/s for 128 tokens after a 16-token prompt, medians of
--runs, for 1 and 2 threads. Prints one JSON object shaped like `loraserve bench engine --json`.

Install: CMAKE_ARGS="-DGGML_NATIVE=ON" pip install llama-cpp-python==0.3.36  (compiles ~6-9 min)
"""
import argparse, json, os, statistics, sys, time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.expanduser(
        os.environ.get("LORASERVE_HOME", "~/.cache/loraserve") + "/models/SmolLM2-135M-Instruct.Q4_1.gguf"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--flash-attn", action="store_true")
    args = ap.parse_args()
    import llama_cpp
    text = ("The Normans were the people who in the 10th and 11th centuries gave their name to Normandy, "
            "a region in France. They were descended from Norse raiders and pirates. ") * 40
    out = {"implementation": "llama.cpp via llama-cpp-python " + llama_cpp.__version__,
           "model": args.model, "runs": args.runs, "flash_attn": args.flash_attn, "threads": {}}
    for threads in args.threads:
        llm = llama_cpp.Llama(model_path=args.model, n_ctx=1024, n_batch=512, n_ubatch=512, n_threads=threads,
                              n_threads_batch=threads, flash_attn=args.flash_attn, verbose=False)
        ids = llm.tokenize(text.encode(), add_bos=False, special=False)

        def prefill(n):
            rates = []
            for _ in range(args.runs):
                llm.reset(); llm._ctx.kv_cache_clear() if hasattr(llm._ctx, "kv_cache_clear") else None
                t = time.perf_counter(); llm.eval(ids[:n]); dt = time.perf_counter() - t
                rates.append(n / dt)
            return statistics.median(rates)

        def decode(n):
            rates = []
            for _ in range(args.runs):
                llm.reset(); llm._ctx.kv_cache_clear() if hasattr(llm._ctx, "kv_cache_clear") else None
                llm.eval(ids[:16])
                tok = int(max(range(llm.n_vocab()), key=lambda i: llm.scores[llm.n_tokens - 1][i])) if False else ids[16]
                t = time.perf_counter()
                for _ in range(n):
                    llm.eval([tok])
                    tok = int(llm.scores[llm.n_tokens - 1].argmax())
                dt = time.perf_counter() - t
                rates.append(n / dt)
            return statistics.median(rates)

        out["threads"][str(threads)] = {
            "prefill64TokensPerSecond": prefill(64),
            "prefill512TokensPerSecond": prefill(512),
            "decodeTokensPerSecond": decode(128),
        }
        print(f"[llama.cpp] threads={threads}: {out['threads'][str(threads)]}", file=sys.stderr)
        del llm
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
