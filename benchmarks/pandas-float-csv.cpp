// CSV rows of float64s written as pandas' to_csv writes them: the C++ twin of benchmarks/pandas-float.ts,
// ~10x quicker (std::to_chars is Ryu: the shortest digits that round-trip, the nearest of them — the
// same digits as Python's repr and JavaScript's toExponential()). benchmarks/drift-data.ts compiles it
// with g++ when there is one and pipes each chunk's values through it; the JavaScript formatter is the
// fallback, and test/bench/pandas-float.test.ts checks both give the same text.
//
//   pandas-float-csv <columns> [--fixed4]   < float64 little-endian values, row-major   > CSV rows (no header)
//
// --fixed4 writes JavaScript's x.toFixed(4) instead (the benchmark's --short-floats), for |x| < 1e21.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

// Appends x as Python's repr(float) (pandas writes NaN as an empty field).
static char* format(char* out, double x) {
  if (std::isnan(x)) return out;
  if (std::isinf(x)) {
    const char* s = x > 0 ? "inf" : "-inf";
    size_t n = std::strlen(s);
    std::memcpy(out, s, n);
    return out + n;
  }
  if (x == 0) {
    const char* s = std::signbit(x) ? "-0.0" : "0.0";
    size_t n = std::strlen(s);
    std::memcpy(out, s, n);
    return out + n;
  }
  char sci[40];  // [-]d[.ddd]e±XX[X]
  char* end = std::to_chars(sci, sci + sizeof sci - 1, x, std::chars_format::scientific).ptr;
  *end = 0;  // for atoi below
  char* e = static_cast<char*>(std::memchr(sci, 'e', end - sci));
  int exp = std::atoi(e + 1);  // the sign is part of the number
  bool neg = sci[0] == '-';
  if (exp < -4 || exp >= 16) {  // scientific, at least two exponent digits: to_chars writes them so too
    std::memcpy(out, sci, end - sci);
    return out + (end - sci);
  }
  if (neg) *out++ = '-';
  char digits[24];
  int n = 0;
  for (char* p = sci + (neg ? 1 : 0); p < e; p++)
    if (*p != '.') digits[n++] = *p;
  if (exp < 0) {
    *out++ = '0';
    *out++ = '.';
    for (int i = 0; i < -exp - 1; i++) *out++ = '0';
    std::memcpy(out, digits, n);
    return out + n;
  }
  // exp + 1 digits before the point (zero-padded), the rest after it, at least one.
  for (int i = 0; i <= exp; i++) *out++ = i < n ? digits[i] : '0';
  *out++ = '.';
  if (n > exp + 1) {
    std::memcpy(out, digits + exp + 1, n - exp - 1);
    return out + (n - exp - 1);
  }
  *out++ = '0';
  return out;
}

// Appends x.toFixed(4) as JavaScript writes it: the exact value rounded to 4 decimals, ties away from
// zero (printf rounds them to even), and -0 written as 0.
static char* fixed4(char* out, double x) {
  if (x == 0) x = 0.0;
  double y = x * 10000.0;
  double r = std::fabs(y);
  // An exact product ending in .5 is a tie: nudge x away from zero so printf rounds it that way too.
  if (std::fma(x, 10000.0, -y) == 0 && r - std::floor(r) == 0.5) x = std::nextafter(x, x > 0 ? INFINITY : -INFINITY);
  return out + std::snprintf(out, 40, "%.4f", x);
}

int main(int argc, char** argv) {
  long columns = argc > 1 ? std::atol(argv[1]) : 0;
  bool fixed = argc > 2 && std::strcmp(argv[2], "--fixed4") == 0;
  if (columns <= 0) {
    std::fputs("usage: pandas-float-csv <columns> [--fixed4] < float64 values > csv rows\n", stderr);
    return 2;
  }
  const size_t rowsPerBlock = 4096;
  std::vector<double> in(rowsPerBlock * columns);
  std::vector<char> out(rowsPerBlock * columns * 32);
  long column = 0;
  for (;;) {
    size_t got = std::fread(in.data(), sizeof(double), in.size(), stdin);
    if (got == 0) break;
    char* o = out.data();
    for (size_t i = 0; i < got; i++) {
      o = fixed ? fixed4(o, in[i]) : format(o, in[i]);
      *o++ = ++column == columns ? '\n' : ',';
      if (column == columns) column = 0;
    }
    if (std::fwrite(out.data(), 1, o - out.data(), stdout) != static_cast<size_t>(o - out.data())) return 1;
  }
  return column == 0 ? 0 : 3;  // a partial row: the input was cut short
}
