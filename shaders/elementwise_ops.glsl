// The scalar elementwise ops, shared by unary.comp, binary.comp and
// ewise.comp. The codes are kernels.UnaryOp and kernels.BinaryOp; with a
// constant code (a specialization constant) the switch folds away.

float softplus(float v) { return v > 20.0 ? v : log(1.0 + exp(v)); }
float sigmoid(float v) { return 1.0 / (1.0 + exp(-v)); }

// unary_f is f(v) for op code op; gamma is ELU's alpha.
float unary_f(uint op, float v, float gamma) {
    switch (op) {
    case 0: return v;                                   // identity (scale, shift)
    case 1: return exp(v);
    case 2: return log(v);
    case 3: return sqrt(v);
    case 4: return tanh(v);
    case 5: return sigmoid(v);
    case 6: return softplus(v);
    case 7: return v * sigmoid(v);                      // SiLU
    case 8: return max(v, 0.0);                         // ReLU
    case 9: return v > 0.0 ? v : gamma * (exp(v) - 1.0); // ELU(gamma)
    case 10: return 0.5 * v * (1.0 + tanh(0.7978845608028654 * (v + 0.044715 * v * v * v))); // GELU (tanh)
    case 11: return v * v;
    case 12: return 1.0 / v;
    case 13: return -v;
    case 14: return abs(v);
    case 15: return sin(v);
    case 16: return cos(v);
    case 17: return v > 0.0 ? 1.0 : 0.0;                // Heaviside step
    default: return v;
    }
}

// binary_f is x op y for op code op.
float binary_f(uint op, float x, float y) {
    switch (op) {
    case 0: return x + y;
    case 1: return x - y;
    case 2: return x * y;
    case 3: return x / y;
    case 4: return max(x, y);
    case 5: return min(x, y);
    case 6: return pow(x, y);
    case 7: return x == y ? 1.0 : 0.0;
    default: return x;
    }
}
