// Philox4x32-10 counter-based random numbers (Salmon et al., SC 2011), the
// exact mapping of sdevk/rng (see rng/doc.go):
//   key     = (uint32(seed), uint32(seed >> 32))
//   counter = (index / 4, step, stream, 0)
//   x       = philox4x32_10(counter, key)[index % 4]
// The 32x32 -> 64-bit products use umulExtended (hi, lo).

const uint PHILOX_M0 = 0xD2511F53u;
const uint PHILOX_M1 = 0xCD9E8D57u;
const uint PHILOX_W0 = 0x9E3779B9u;
const uint PHILOX_W1 = 0xBB67AE85u;

uvec4 philox4x32_10(uvec4 ctr, uvec2 key) {
    for (int r = 0; r < 10; r++) {
        if (r > 0) key += uvec2(PHILOX_W0, PHILOX_W1);
        uint hi0, lo0, hi1, lo1;
        umulExtended(PHILOX_M0, ctr.x, hi0, lo0);
        umulExtended(PHILOX_M1, ctr.z, hi1, lo1);
        ctr = uvec4(hi1 ^ ctr.y ^ key.x, lo1, hi0 ^ ctr.w ^ key.y, lo0);
    }
    return ctr;
}

// philox_uniform maps a word to (x>>8 + 0.5) / 2^24, rounded to float32 the
// way a float64 -> float32 conversion rounds it (to nearest, ties to even):
// the value is (2k+1) / 2^25 with k = x>>8, exact below 0.5; from 0.5 on it
// lies halfway between two floats and rounds to the even one, k + (k & 1)
// in units of 2^-24 (which reaches 1.0 for k = 2^24 - 1).
float philox_uniform(uint x) {
    uint k = x >> 8;
    if (k < 0x800000u) return float(2u * k + 1u) * (1.0 / 33554432.0);
    return float(k + (k & 1u)) * (1.0 / 16777216.0);
}

// philox_normal_pair is Box-Muller on two words: (r cos(2 pi u1),
// r sin(2 pi u1)) with r = sqrt(-2 ln u0), u = philox_uniform(x). ln u0 uses
// the exact 1 - u0 near 1, where the float32 u0 has rounded.
vec2 philox_normal_pair(uint x0, uint x1) {
    uint k0 = x0 >> 8;
    float ln0;
    if (k0 >= 0xFF0000u) {
        // u0 = 1 - w with w = (2^25 - 2 k0 - 1) / 2^25 <= 2^-8: a series.
        float w = float(0x2000000u - 2u * k0 - 1u) * (1.0 / 33554432.0);
        ln0 = -w * (1.0 + w * (0.5 + w * (1.0 / 3.0 + w * 0.25)));
    } else {
        ln0 = log(philox_uniform(x0));
    }
    float r = sqrt(-2.0 * ln0);
    // 2 pi u1 = pi + 2 pi (u1 - 1/2): keep the argument in [-pi, pi].
    float a = 6.283185307179586 * (philox_uniform(x1) - 0.5);
    return -r * vec2(cos(a), sin(a));
}
