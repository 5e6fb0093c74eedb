#!/usr/bin/env python3
"""Checks a LoRAServe worker (or any vLLM-compatible server) with the official `openai` client.

Usage: python3 Scripts/openai_client_check.py http://127.0.0.1:8000 [--api-key KEY] [--model NAME]

Runs completions and chat, streaming and not, n=2, stop strings, an adapter (when /v1/models lists
one), an unknown model (must raise openai.NotFoundError) and a context overflow (must raise
openai.BadRequestError). Prints one line per check, then `N passed, N failed`; exits 1 on failure.
Needs `pip install openai` (tested with openai 1.x / 2.x).
"""

import argparse
import sys
import traceback

import openai


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def run(self, name, fn):
        try:
            fn()
        except Exception as error:  # noqa: BLE001 - every failure is reported, not raised
            self.failed += 1
            print(f"FAIL {name}: {type(error).__name__}: {error}")
            traceback.print_exc(limit=2, file=sys.stdout)
        else:
            self.passed += 1
            print(f"ok   {name}")


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", help="server root, e.g. http://127.0.0.1:8000 (/v1 is appended)")
    parser.add_argument("--api-key", default="unused")
    parser.add_argument("--model", help="base model name (default: the first model without a parent)")
    args = parser.parse_args()

    base = args.base_url.rstrip("/")
    if not base.endswith("/v1"):
        base += "/v1"
    client = openai.OpenAI(base_url=base, api_key=args.api_key, max_retries=0, timeout=120)
    check = Checker()
    state = {}

    def models():
        cards = client.models.list().data
        expect(cards, "no models listed")
        bases = [c for c in cards if getattr(c, "parent", None) is None]
        expect(bases, "no base model (a model without parent)")
        state["model"] = args.model or bases[0].id
        state["adapters"] = [c.id for c in cards if getattr(c, "parent", None) == state["model"]]
        state["context"] = getattr(bases[0], "max_model_len", None) or 32768

    check.run("models.list lists the base model and adapters with parent", models)
    if "model" not in state:
        print(f"{check.passed} passed, {check.failed} failed")
        return 1
    model = state["model"]

    def completion():
        r = client.completions.create(model=model, prompt="Once upon a time", max_tokens=8, temperature=0)
        expect(r.object == "text_completion", f"object {r.object}")
        expect(len(r.choices) == 1 and isinstance(r.choices[0].text, str), "one text choice")
        expect(r.choices[0].finish_reason in ("stop", "length"), f"finish_reason {r.choices[0].finish_reason}")
        expect(r.usage and 0 < r.usage.completion_tokens <= 8, f"usage {r.usage}")
        state["text"] = r.choices[0].text

    def completion_stream():
        pieces, finish, usage = [], None, None
        stream = client.completions.create(model=model, prompt="Once upon a time", max_tokens=8, temperature=0,
                                           stream=True, stream_options={"include_usage": True})
        for chunk in stream:
            if chunk.usage:
                usage = chunk.usage
            for choice in chunk.choices:
                pieces.append(choice.text)
                finish = choice.finish_reason or finish
        expect(finish in ("stop", "length"), f"finish_reason {finish}")
        expect(usage is not None and usage.completion_tokens <= 8, f"usage chunk {usage}")
        if "text" in state:
            expect("".join(pieces) == state["text"], f"streamed {''.join(pieces)!r} != {state['text']!r}")

    def chat():
        r = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Say hi."}], max_tokens=8, temperature=0)
        expect(r.object == "chat.completion", f"object {r.object}")
        expect(r.choices[0].message.role == "assistant", "assistant message")
        expect(isinstance(r.choices[0].message.content, str), "text content")
        expect(r.usage.prompt_tokens > 0, f"usage {r.usage}")
        state["chat"] = r.choices[0].message.content

    def chat_stream():
        pieces, roles, usage = [], [], None
        stream = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Say hi."}], max_tokens=8,
                                                temperature=0, stream=True, stream_options={"include_usage": True})
        for chunk in stream:
            if chunk.usage:
                usage = chunk.usage
            for choice in chunk.choices:
                if choice.delta.role:
                    roles.append(choice.delta.role)
                if choice.delta.content:
                    pieces.append(choice.delta.content)
        expect(roles[:1] == ["assistant"], f"first delta role {roles[:1]}")
        expect(usage is not None, "usage chunk")
        if "chat" in state:
            expect("".join(pieces) == state["chat"], f"streamed {''.join(pieces)!r} != {state['chat']!r}")

    def n_two():
        r = client.completions.create(model=model, prompt="Hello", max_tokens=4, n=2, seed=7)
        expect(sorted(c.index for c in r.choices) == [0, 1], f"indices {[c.index for c in r.choices]}")
        c = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi"}], max_tokens=4, n=2)
        expect(sorted(ch.index for ch in c.choices) == [0, 1], "chat indices")
        pieces = {0: "", 1: ""}
        for chunk in client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi"}], max_tokens=4,
                                                    n=2, stream=True):
            for choice in chunk.choices:
                pieces[choice.index] += choice.delta.content or ""
        expect(set(pieces) == {0, 1}, "both streamed choices")

    def stop():
        base_text = client.completions.create(model=model, prompt="Once upon a time", max_tokens=16, temperature=0).choices[0].text
        expect(len(base_text) >= 4, f"need some text to pick a stop string from, got {base_text!r}")
        stop_string = base_text[2:4]
        cut = base_text.index(stop_string)
        r = client.completions.create(model=model, prompt="Once upon a time", max_tokens=16, temperature=0, stop=[stop_string])
        expect(r.choices[0].finish_reason == "stop", f"finish_reason {r.choices[0].finish_reason}")
        expect(r.choices[0].text == base_text[:cut], f"{r.choices[0].text!r} != {base_text[:cut]!r}")

    def adapter():
        if not state["adapters"]:
            return
        name = state["adapters"][0]
        r = client.completions.create(model=name, prompt="Hello", max_tokens=4, temperature=0)
        expect(r.model == name, f"model echoed {r.model}")

    def unknown_model():
        try:
            client.completions.create(model="no-such-model-or-adapter", prompt="x", max_tokens=1)
        except openai.NotFoundError as error:
            expect(error.status_code == 404, f"status {error.status_code}")
            return
        raise AssertionError("no NotFoundError")

    def overflow():
        context = int(state["context"])
        try:
            client.completions.create(model=model, prompt="hi " * 8, max_tokens=context + 1)
        except openai.BadRequestError as error:
            expect(error.status_code == 400, f"status {error.status_code}")
        else:
            raise AssertionError("no BadRequestError for max_tokens beyond the context")
        try:
            client.chat.completions.create(model=model, messages=[{"role": "user", "content": "word " * (context + 8)}], max_tokens=16)
        except openai.BadRequestError:
            return
        raise AssertionError("no BadRequestError for a prompt beyond the context")

    for name, fn in [("completions", completion), ("completions stream + include_usage", completion_stream),
                     ("chat", chat), ("chat stream + include_usage", chat_stream), ("n=2 (completions, chat, chat stream)", n_two),
                     ("stop string", stop), ("adapter as model", adapter), ("unknown model -> NotFoundError", unknown_model),
                     ("context overflow -> BadRequestError", overflow)]:
        check.run(name, fn)

    print(f"{check.passed} passed, {check.failed} failed")
    return 0 if check.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
