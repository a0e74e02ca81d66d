/*
 * The walk over two sorted samples (pair.ts's walkSorted), compiled to WebAssembly
 * (scripts/build-wasm.mjs writes the module into sorted-walk-wasm.ts; wasm-walk.ts runs it): the number
 * of distinct values of their union and the Wasserstein-1 distance ∫|F_u − F_v|, with the same
 * floating-point operations in the same order as the JavaScript — so the same doubles, bit for bit.
 *
 * Why a module for it: which side the next value comes from is a coin toss on drifting data, so the
 * JavaScript loop's branches are mispredicted half the time (~15 ns a value: 8 walks of 400k values were
 * most of a 200k-row check's testing time). Here the step is branch-free: selects instead of jumps.
 *
 * The samples come in chunks (the caller copies them into this module's memory): `walk` goes on from
 * where the previous call stopped and returns when a chunk that is not a side's last is used up.
 * Built freestanding: no libc, no allocation.
 */
typedef unsigned int u32;

/* The walk's state between calls (one walk at a time per instance). */
static int at_u, at_v;
static double total, prev, u_nv, v_nu;
static u32 runs;

/* Starts a walk: `first` is the smaller of the two first values (0 when a side is empty). */
__attribute__((export_name("begin"))) void begin(double first, u32 initial_runs) {
  at_u = 0;
  at_v = 0;
  total = 0;
  prev = first;
  u_nv = -0.0; /* as pair.ts: the running sums start as the double -0 */
  v_nu = -0.0;
  runs = initial_runs;
}

__attribute__((export_name("refill_u"))) void refill_u(void) { at_u = 0; }
__attribute__((export_name("refill_v"))) void refill_v(void) { at_v = 0; }
__attribute__((export_name("runs"))) u32 get_runs(void) { return runs; }
__attribute__((export_name("total"))) double get_total(void) { return total; }
__attribute__((export_name("u_nv"))) double get_u_nv(void) { return u_nv; }

/*
 * Walks on over u[0, un) and v[0, vn) (the chunks in memory; v[vn] must hold +inf when v_last: the
 * sentinel that makes u's values come first once v is done). nu, nv: the whole samples' sizes.
 * Returns 1 when u's chunk is used up and more of u follows, 2 the same for v, 0 when both are done.
 */
__attribute__((export_name("walk"))) int walk(const double *u, int un, int u_last, const double *v, int vn, int v_last, double nu, double nv) {
  int i = at_u, j = at_v, code;
  double t = total, p = prev, a_sum = u_nv, b_sum = v_nu;
  u32 r = runs;
  for (;;) {
    if (i == un && !u_last) {
      code = 1;
      break;
    }
    if (j == vn && !v_last) {
      code = 2;
      break;
    }
    if (i == un && j == vn) {
      code = 0;
      break;
    }
    double a = u[i < un ? i : 0]; /* any value when u is done: from_u is 0 then */
    double b = v[j];              /* +inf (the sentinel) when v is done */
    int from_u = (a <= b) & (i < un);
    double x = from_u ? a : b;
    /* as pair.ts, a term only when x is new (a select, not a jump; adding 0 leaves t as it was) */
    double term = __builtin_fabs(a_sum - b_sum) * (x - p);
    t += x != p ? term : 0.0;
    r += x != p;
    p = x;
    i += from_u;
    j += 1 - from_u;
    a_sum = from_u ? a_sum + nv : a_sum;
    b_sum = from_u ? b_sum : b_sum + nu;
  }
  at_u = i;
  at_v = j;
  total = t;
  prev = p;
  u_nv = a_sum;
  v_nu = b_sum;
  runs = r;
  return code;
}
