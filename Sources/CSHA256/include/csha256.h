#ifndef CSHA256_H
#define CSHA256_H
#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has the SHA extensions (and SSSE3/SSE4.1) that `csha256_compress_ni` uses.
int csha256_has_sha_ni(void);

/// Runs the SHA-256 compression function over `blocks` consecutive 64-byte blocks at `data`,
/// updating `state` (a..h, native-endian words). Only call when `csha256_has_sha_ni()` is 1.
void csha256_compress_ni(uint32_t state[8], const uint8_t *data, size_t blocks);

#endif
