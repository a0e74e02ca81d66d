/*
 * Fast path of the drift CSV reader, compiled to WebAssembly (scripts/build-wasm.mjs writes the module
 * into fast-rows-wasm.ts; fast-rows.ts runs it). It reads as many plain rows as it can: unquoted fields,
 * exactly `nfields` of them, `\n` or `\r\n` ends, and in the columns marked numeric a number that
 * tokenizer.ts's scanNumberInto would take (sign, digits, `.`, exponent) with at most 19 significant
 * digits and a decimal exponent within ±22 — read with the same two methods, so the same double:
 * Clinger's fast path when the mantissa is below 2^53, else the double-double path of long-decimal.ts
 * (same operations in the same order; no FMA: WebAssembly has none and contraction is off).
 * An empty field or one of pandas' NA strings (`NA`, `nan`, `NULL`…) in a numeric column is a missing
 * value (NaN, kind 0: what pandas' to_csv, or R's write.csv, writes for one), and a text field may be
 * quoted on one line (`""` escapes flagged, as the tokenizer flags them). At the first row that is
 * anything else (a quoted number, a quoted field over several lines, other text in a numeric column —
 * `inf`, a word —, a blank line, a wrong field count, a number the two methods leave undecided, the row
 * cut by the buffer's end) it stops before that row, and the JavaScript tokenizer takes that row with
 * its full rules.
 *
 * Built freestanding: no libc, no allocation; the caller passes every buffer.
 */
typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;

static const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
static double POW10_HI[23];
static double POW10_LO[23];
static const double SPLIT = 134217729.0; /* 2^27 + 1 */

/* Where the last `rows` call stopped (the byte after the last row it read, or `start`). */
static int stop_at;

__attribute__((export_name("init"))) void init(void) {
  for (int i = 0; i < 23; i++) {
    double p = POW10[i];
    double c = SPLIT * p;
    POW10_HI[i] = c - (c - p);
    POW10_LO[i] = p - POW10_HI[i];
  }
}

__attribute__((export_name("stop"))) int stop(void) { return stop_at; }

/* The low part of the exact product a·b (Dekker), as long-decimal.ts's productError. */
static double product_error(double a, double b, double b_hi, double b_lo, double p) {
  (void)b;
  double c = SPLIT * a;
  double a_hi = c - (c - a);
  double a_lo = a - a_hi;
  return a_hi * b_hi - p + a_hi * b_lo + a_lo * b_hi + a_lo * b_lo;
}

static u64 bits_of(double x) {
  union { double d; u64 u; } v;
  v.d = x;
  return v.u;
}

static double double_of(u64 u) {
  union { double d; u64 u; } v;
  v.u = u;
  return v.d;
}

/* long-decimal.ts's longDecimalInto: |w · 10^scale| for w = head · 10^k + tail; 0 when undecided. */
static int long_decimal(double head, double tail, int k, int scale, double *out) {
  if (scale < -22 || scale > 22 || k > 4) return 0;
  double wh = head * POW10[k];
  double wl = product_error(head, POW10[k], POW10_HI[k], POW10_LO[k], wh) + tail;
  if (scale == 0) {
    *out = wh + wl;
    return 1;
  }
  double q1, q2;
  if (scale > 0) {
    double d = POW10[scale];
    q1 = wh * d;
    q2 = product_error(wh, d, POW10_HI[scale], POW10_LO[scale], q1) + wl * d;
  } else {
    double d = POW10[-scale];
    q1 = wh / d;
    double p = q1 * d;
    double p_err = product_error(q1, d, POW10_HI[-scale], POW10_LO[-scale], p);
    q2 = (wh - p - p_err + wl) / d;
  }
  double x = q1 + q2;
  double t = q2 - (x - q1);
  u64 bits = bits_of(x);
  u32 high = (u32)(bits >> 32);
  u32 low = (u32)bits;
  int biased = (int)((high >> 20) & 0x7ff);
  if ((high & 0xfffff) == 0 && low == 0) return 0;
  /* Half an ulp of x: 2^(biased - 1076), a normal double for every x this path gives. */
  if (biased - 53 <= 0) return 0;
  double half_ulp = double_of((u64)(biased - 53) << 52);
  double margin = t < 0 ? -t : t;
  if (margin > half_ulp - half_ulp * 0x1p-20) return 0;
  *out = x;
  return 1;
}

static u64 load8(const u8 *p) {
  u64 v;
  __builtin_memcpy(&v, p, 8);
  return v;
}

/* Whether the 8 bytes of v are all ASCII digits (fast_float's test). */
static int eight_digits(u64 v) {
  return ((v & 0xF0F0F0F0F0F0F0F0ULL) | (((v + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4)) == 0x3333333333333333ULL;
}

/* The value of 8 ASCII digits, first digit in the lowest byte (little-endian), with three multiplications. */
static u32 parse_eight(u64 v) {
  const u64 mask = 0x000000FF000000FFULL;
  const u64 mul1 = 100ULL + (1000000ULL << 32);
  const u64 mul2 = 1ULL + (10000ULL << 32);
  v -= 0x3030303030303030ULL;
  v = (v * 10) + (v >> 8);
  v = (((v & mask) * mul1) + (((v >> 16) & mask) * mul2)) >> 32;
  return (u32)v;
}

/*
 * Appends the digits at b[i..) to *w (8 at a time while it can: the digit-by-digit chain of multiply-adds
 * was the parser's cost); *over when the mantissa would exceed 19 significant digits. Returns the index
 * after the digits.
 */
static int read_digits(const u8 *b, int i, int len, u64 *w, int *over) {
  u64 v = *w;
  while (i + 8 <= len) {
    u64 x = load8(b + i);
    if (!eight_digits(x)) break;
    if (v >= 100000000000ULL) { /* v · 10^8 would have more than 19 digits */
      *over = 1;
      return i;
    }
    v = v * 100000000ULL + parse_eight(x);
    i += 8;
  }
  for (; i < len; i++) {
    u32 d = (u32)b[i] - '0';
    if (d > 9) break;
    if (v >= 1000000000000000000ULL) {
      *over = 1;
      return i;
    }
    v = v * 10 + d;
  }
  *w = v;
  return i;
}

/* Decimal digits of v > 0. */
static int digit_count(u64 v) {
  static const u64 POWERS[20] = {1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
                                 100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
                                 10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
                                 100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL};
  int n = ((64 - __builtin_clzll(v)) * 1233) >> 12; /* ≈ log10, at most one short */
  return v >= POWERS[n] ? n + 1 : n;
}

/*
 * A number at b[i..len) that ends before len; returns the index after it, or -1 when it is not one the
 * fast path takes. *is_int: written without `.` and exponent.
 */
static int parse_number(const u8 *b, int i, int len, double *out, int *is_int) {
  int negative = 0;
  if (i < len && (b[i] == '-' || b[i] == '+')) {
    negative = b[i] == '-';
    i++;
  }
  u64 w = 0;
  int over = 0;
  int scale = 0;
  int integer = 1;
  int from = i;
  i = read_digits(b, i, len, &w, &over);
  int digits = i - from;
  if (!over && i < len && b[i] == '.') {
    integer = 0;
    i++;
    from = i;
    i = read_digits(b, i, len, &w, &over);
    scale = from - i;
    digits += i - from;
  }
  if (over || digits == 0) return -1;
  if (i < len && (b[i] == 'e' || b[i] == 'E')) {
    integer = 0;
    i++;
    int exp_negative = 0;
    if (i < len && (b[i] == '-' || b[i] == '+')) {
      exp_negative = b[i] == '-';
      i++;
    }
    from = i;
    int exponent = 0;
    for (; i < len; i++) {
      u32 d = (u32)b[i] - '0';
      if (d > 9) break;
      if (exponent < 100000) exponent = exponent * 10 + (int)d;
    }
    if (i == from) return -1;
    scale += exp_negative ? -exponent : exponent;
  }
  if (i >= len) return -1; /* where the number ends is not known yet */
  if (scale < -22 || scale > 22) return -1;
  double magnitude;
  if (w <= 9007199254740991ULL) {
    /* Clinger: an exact mantissa, one correctly rounded multiply or divide. */
    double m = (double)w;
    magnitude = scale < 0 ? m / POW10[-scale] : m * POW10[scale];
  } else {
    /* 16 to 19 significant digits: head = the first 15, tail = the k others, as tokenizer.ts splits them. */
    int k = digit_count(w) - 15;
    u64 head, tail;
    switch (k) {
      case 1: head = w / 10; tail = w % 10; break;
      case 2: head = w / 100; tail = w % 100; break;
      case 3: head = w / 1000; tail = w % 1000; break;
      default: head = w / 10000; tail = w % 10000; break;
    }
    if (!long_decimal((double)head, (double)tail, k, scale, &magnitude)) return -1;
  }
  *out = negative ? -magnitude : magnitude;
  *is_int = integer;
  return i;
}

/*
 * pandas' default NA strings but the empty one (values.ts's MISSING_TOKENS: change both together; the
 * test reads every one of them both ways).
 */
static const char *const MISSING_TOKENS[] = {"#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
                                              "<NA>", "N/A",      "NA",  "NULL",    "NaN",      "None", "n/a",  "nan",    "null"};

/* When the field at in[p..) is one of MISSING_TOKENS followed by a separator or a line end: the index after it; else -1. */
static int missing_token_end(const u8 *in, int p, int len) {
  int end = p;
  while (end < len && end - p <= 8) {
    u8 c = in[end];
    if (c == ',' || c == '\n' || c == '\r') break;
    end++;
  }
  if (end >= len || end - p > 8) return -1;
  for (unsigned t = 0; t < sizeof MISSING_TOKENS / sizeof MISSING_TOKENS[0]; t++) {
    const char *token = MISSING_TOKENS[t];
    int k = 0;
    while (p + k < end && token[k] != 0 && (u8)token[k] == in[p + k]) k++;
    if (p + k == end && token[k] == 0) return end;
  }
  return -1;
}

/*
 * Reads plain rows of `nfields` fields from in[start..len), at most max_rows. mask[f]: 1 a numeric
 * column (its number goes to values[r·nfields + f], 2 or 1 to kinds: written as an integer or not;
 * 0 and NaN for a missing value), 2 a text column (its bytes' range to starts/ends, quotes excluded;
 * kinds 1 when it holds `""` escapes), 0 a column nobody reads. Returns the rows read; `stop` says
 * where it stopped.
 */
__attribute__((export_name("rows"))) int rows(const u8 *in, int start, int len, const u8 *mask, int nfields, int max_rows,
                                               double *values, u8 *kinds, int *starts, int *ends) {
  int p = start;
  int r = 0;
  while (r < max_rows && p < len) {
    int row_start = p;
    int ok = 1;
    if (in[p] == '\n' || in[p] == '\r') break; /* a blank line: the tokenizer skips it */
    int base = r * nfields;
    for (int f = 0; f < nfields; f++) {
      if (mask[f] == 1) {
        if (p < len && (in[p] == ',' || in[p] == '\n' || in[p] == '\r')) {
          /* An empty field: a missing value (what to_csv writes for NaN). */
          values[base + f] = __builtin_nan("");
          kinds[base + f] = 0;
        } else {
          double v;
          int is_int;
          int end = parse_number(in, p, len, &v, &is_int);
          if (end < 0 || (in[end] != ',' && in[end] != '\n' && in[end] != '\r')) {
            /* Not a number this path reads (`1.#IND` starts as one): pandas' NA strings (R writes `NA`) are missing values. */
            end = missing_token_end(in, p, len);
            if (end < 0) {
              ok = 0;
              break;
            }
            v = __builtin_nan("");
            is_int = -1;
          }
          values[base + f] = v;
          kinds[base + f] = is_int < 0 ? 0 : is_int ? 2 : 1;
          p = end;
        }
      } else if (p < len && in[p] == '"') {
        /* A quoted text field on one line: its bytes between the quotes, kinds 1 when it holds `""` escapes. */
        int j = p + 1;
        int escaped = 0;
        for (;;) {
          if (j + 1 >= len) { /* the closing quote (or `""`) may be in the next buffer */
            ok = 0;
            break;
          }
          u8 c = in[j];
          if (c == '"') {
            if (in[j + 1] != '"') break;
            escaped = 1;
            j += 2;
            continue;
          }
          if (c == '\n' || c == '\r') { /* a field over several lines: the tokenizer counts them */
            ok = 0;
            break;
          }
          j++;
        }
        if (!ok) break;
        starts[base + f] = p + 1;
        ends[base + f] = j;
        kinds[base + f] = (u8)escaped;
        p = j + 1;
      } else {
        int s = p;
        while (p < len) {
          u8 c = in[p];
          if (c == ',' || c == '\n' || c == '\r' || c == '"') break;
          p++;
        }
        starts[base + f] = s;
        ends[base + f] = p;
        kinds[base + f] = 0;
      }
      if (p >= len) {
        ok = 0;
        break;
      }
      u8 c = in[p];
      if (f < nfields - 1) {
        if (c != ',') {
          ok = 0;
          break;
        }
        p++;
      } else if (c == '\n') {
        p++;
      } else if (c == '\r' && p + 1 < len && in[p + 1] == '\n') {
        p += 2;
      } else {
        ok = 0;
        break;
      }
    }
    if (!ok) {
      p = row_start;
      break;
    }
    r++;
  }
  stop_at = p;
  return r;
}
