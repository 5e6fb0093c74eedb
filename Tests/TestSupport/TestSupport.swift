// Shared test helpers: tiny random models, tiny GGUF/safetensors files built in code, seeded RNGs.
import ServeCore
