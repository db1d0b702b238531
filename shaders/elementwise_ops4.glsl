// The elementwise ops of elementwise_ops.glsl on vec4s, for ewise4.comp:
// one switch per op instead of one per component, so that a fused
// program's pipeline has a quarter of the code to fold away.

vec4 sigmoid4(vec4 v) { return 1.0 / (1.0 + exp(-v)); }

// unary_f4 is unary_f on each component.
vec4 unary_f4(uint op, vec4 v, float gamma) {
    switch (op) {
    case 0: return v;
    case 1: return exp(v);
    case 2: return log(v);
    case 3: return sqrt(v);
    case 4: return tanh(v);
    case 5: return sigmoid4(v);
    case 6: return mix(log(1.0 + exp(v)), v, greaterThan(v, vec4(20.0)));
    case 7: return v * sigmoid4(v);
    case 8: return max(v, 0.0);
    case 9: return mix(gamma * (exp(v) - 1.0), v, greaterThan(v, vec4(0.0)));
    case 10: return 0.5 * v * (1.0 + tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
    case 11: return v * v;
    case 12: return 1.0 / v;
    case 13: return -v;
    case 14: return abs(v);
    case 15: return sin(v);
    case 16: return cos(v);
    case 17: return vec4(greaterThan(v, vec4(0.0)));
    default: return v;
    }
}

// binary_f4 is binary_f on each component.
vec4 binary_f4(uint op, vec4 x, vec4 y) {
    switch (op) {
    case 0: return x + y;
    case 1: return x - y;
    case 2: return x * y;
    case 3: return x / y;
    case 4: return max(x, y);
    case 5: return min(x, y);
    case 6: return pow(x, y);
    case 7: return vec4(equal(x, y));
    default: return x;
    }
}
