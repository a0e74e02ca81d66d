/*
 * Fast path of the drift CSV reader, compiled to WebAssembly (scripts/build-wasm.mjs writes the module
 * into fast-rows-wasm.ts; fast-rows.ts runs it). It reads as many plain rows as it can: unquoted fields,
 * exactly `nfields` of them, `\n` or `\r\n` ends, and in the columns marked numeric a number that
 * tokenizer.ts's scanNumberInto would take (sign, digits, `.`, exponent) with at most 19 significant
 * digits and a decimal exponent within ±96 — read correctly rounded, so the same double as the tokenizer
 * and Number(): Clinger's fast path when the mantissa is below 2^53 and the exponent within ±22, else
 * the Eisel–Lemire step (a 128-bit product with a power of five; pandas writes 17 significant digits, so
 * half its floats need it). No FMA: WebAssembly has none and contraction is off.
 * An empty field or one of pandas' NA strings (`NA`, `nan`, `NULL`…) in a numeric column is a missing
 * value (NaN, kind 0: what pandas' to_csv, or R's write.csv, writes for one), and a text field may be
 * quoted on one line (`""` escapes flagged, as the tokenizer flags them). At the first row that is
 * anything else (a quoted number, a quoted field over several lines, other text in a numeric column —
 * `inf`, a word —, a blank line, a wrong field count, a number Eisel–Lemire leaves undecided, the row
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

/* Where the last `rows` call stopped (the byte after the last row it read, or `start`). */
static int stop_at;

__attribute__((export_name("stop"))) int stop(void) { return stop_at; }

static double double_of(u64 u) {
  union { double d; u64 u; } v;
  v.u = u;
  return v.d;
}

/* The decimal exponents the Eisel–Lemire step takes (pandas writes 1e-05 … 1e+16 plainly, so most land near 0). */
#define POW5_MIN_Q (-96)
#define POW5_MAX_Q 96

/* ⌊5^q · 2^s⌋ with 128 bits, high word first, for q from POW5_MIN_Q: written by scripts/pow5-table.mjs. */
static const u64 POW5_128[POW5_MAX_Q - POW5_MIN_Q + 1][2] = {
    {0x88b402f7fd75539bULL, 0x11dbcb0218ebb414ULL}, /* 5^-96 */
    {0xaae103b5fcd2a881ULL, 0xd652bdc29f26a119ULL}, /* 5^-95 */
    {0xd59944a37c0752a2ULL, 0x4be76d3346f0495fULL}, /* 5^-94 */
    {0x857fcae62d8493a5ULL, 0x6f70a4400c562ddbULL}, /* 5^-93 */
    {0xa6dfbd9fb8e5b88eULL, 0xcb4ccd500f6bb952ULL}, /* 5^-92 */
    {0xd097ad07a71f26b2ULL, 0x7e2000a41346a7a7ULL}, /* 5^-91 */
    {0x825ecc24c873782fULL, 0x8ed400668c0c28c8ULL}, /* 5^-90 */
    {0xa2f67f2dfa90563bULL, 0x728900802f0f32faULL}, /* 5^-89 */
    {0xcbb41ef979346bcaULL, 0x4f2b40a03ad2ffb9ULL}, /* 5^-88 */
    {0xfea126b7d78186bcULL, 0xe2f610c84987bfa8ULL}, /* 5^-87 */
    {0x9f24b832e6b0f436ULL, 0x0dd9ca7d2df4d7c9ULL}, /* 5^-86 */
    {0xc6ede63fa05d3143ULL, 0x91503d1c79720dbbULL}, /* 5^-85 */
    {0xf8a95fcf88747d94ULL, 0x75a44c6397ce912aULL}, /* 5^-84 */
    {0x9b69dbe1b548ce7cULL, 0xc986afbe3ee11abaULL}, /* 5^-83 */
    {0xc24452da229b021bULL, 0xfbe85badce996168ULL}, /* 5^-82 */
    {0xf2d56790ab41c2a2ULL, 0xfae27299423fb9c3ULL}, /* 5^-81 */
    {0x97c560ba6b0919a5ULL, 0xdccd879fc967d41aULL}, /* 5^-80 */
    {0xbdb6b8e905cb600fULL, 0x5400e987bbc1c920ULL}, /* 5^-79 */
    {0xed246723473e3813ULL, 0x290123e9aab23b68ULL}, /* 5^-78 */
    {0x9436c0760c86e30bULL, 0xf9a0b6720aaf6521ULL}, /* 5^-77 */
    {0xb94470938fa89bceULL, 0xf808e40e8d5b3e69ULL}, /* 5^-76 */
    {0xe7958cb87392c2c2ULL, 0xb60b1d1230b20e04ULL}, /* 5^-75 */
    {0x90bd77f3483bb9b9ULL, 0xb1c6f22b5e6f48c2ULL}, /* 5^-74 */
    {0xb4ecd5f01a4aa828ULL, 0x1e38aeb6360b1af3ULL}, /* 5^-73 */
    {0xe2280b6c20dd5232ULL, 0x25c6da63c38de1b0ULL}, /* 5^-72 */
    {0x8d590723948a535fULL, 0x579c487e5a38ad0eULL}, /* 5^-71 */
    {0xb0af48ec79ace837ULL, 0x2d835a9df0c6d851ULL}, /* 5^-70 */
    {0xdcdb1b2798182244ULL, 0xf8e431456cf88e65ULL}, /* 5^-69 */
    {0x8a08f0f8bf0f156bULL, 0x1b8e9ecb641b58ffULL}, /* 5^-68 */
    {0xac8b2d36eed2dac5ULL, 0xe272467e3d222f3fULL}, /* 5^-67 */
    {0xd7adf884aa879177ULL, 0x5b0ed81dcc6abb0fULL}, /* 5^-66 */
    {0x86ccbb52ea94baeaULL, 0x98e947129fc2b4e9ULL}, /* 5^-65 */
    {0xa87fea27a539e9a5ULL, 0x3f2398d747b36224ULL}, /* 5^-64 */
    {0xd29fe4b18e88640eULL, 0x8eec7f0d19a03aadULL}, /* 5^-63 */
    {0x83a3eeeef9153e89ULL, 0x1953cf68300424acULL}, /* 5^-62 */
    {0xa48ceaaab75a8e2bULL, 0x5fa8c3423c052dd7ULL}, /* 5^-61 */
    {0xcdb02555653131b6ULL, 0x3792f412cb06794dULL}, /* 5^-60 */
    {0x808e17555f3ebf11ULL, 0xe2bbd88bbee40bd0ULL}, /* 5^-59 */
    {0xa0b19d2ab70e6ed6ULL, 0x5b6aceaeae9d0ec4ULL}, /* 5^-58 */
    {0xc8de047564d20a8bULL, 0xf245825a5a445275ULL}, /* 5^-57 */
    {0xfb158592be068d2eULL, 0xeed6e2f0f0d56712ULL}, /* 5^-56 */
    {0x9ced737bb6c4183dULL, 0x55464dd69685606bULL}, /* 5^-55 */
    {0xc428d05aa4751e4cULL, 0xaa97e14c3c26b886ULL}, /* 5^-54 */
    {0xf53304714d9265dfULL, 0xd53dd99f4b3066a8ULL}, /* 5^-53 */
    {0x993fe2c6d07b7fabULL, 0xe546a8038efe4029ULL}, /* 5^-52 */
    {0xbf8fdb78849a5f96ULL, 0xde98520472bdd033ULL}, /* 5^-51 */
    {0xef73d256a5c0f77cULL, 0x963e66858f6d4440ULL}, /* 5^-50 */
    {0x95a8637627989aadULL, 0xdde7001379a44aa8ULL}, /* 5^-49 */
    {0xbb127c53b17ec159ULL, 0x5560c018580d5d52ULL}, /* 5^-48 */
    {0xe9d71b689dde71afULL, 0xaab8f01e6e10b4a6ULL}, /* 5^-47 */
    {0x9226712162ab070dULL, 0xcab3961304ca70e8ULL}, /* 5^-46 */
    {0xb6b00d69bb55c8d1ULL, 0x3d607b97c5fd0d22ULL}, /* 5^-45 */
    {0xe45c10c42a2b3b05ULL, 0x8cb89a7db77c506aULL}, /* 5^-44 */
    {0x8eb98a7a9a5b04e3ULL, 0x77f3608e92adb242ULL}, /* 5^-43 */
    {0xb267ed1940f1c61cULL, 0x55f038b237591ed3ULL}, /* 5^-42 */
    {0xdf01e85f912e37a3ULL, 0x6b6c46dec52f6688ULL}, /* 5^-41 */
    {0x8b61313bbabce2c6ULL, 0x2323ac4b3b3da015ULL}, /* 5^-40 */
    {0xae397d8aa96c1b77ULL, 0xabec975e0a0d081aULL}, /* 5^-39 */
    {0xd9c7dced53c72255ULL, 0x96e7bd358c904a21ULL}, /* 5^-38 */
    {0x881cea14545c7575ULL, 0x7e50d64177da2e54ULL}, /* 5^-37 */
    {0xaa242499697392d2ULL, 0xdde50bd1d5d0b9e9ULL}, /* 5^-36 */
    {0xd4ad2dbfc3d07787ULL, 0x955e4ec64b44e864ULL}, /* 5^-35 */
    {0x84ec3c97da624ab4ULL, 0xbd5af13bef0b113eULL}, /* 5^-34 */
    {0xa6274bbdd0fadd61ULL, 0xecb1ad8aeacdd58eULL}, /* 5^-33 */
    {0xcfb11ead453994baULL, 0x67de18eda5814af2ULL}, /* 5^-32 */
    {0x81ceb32c4b43fcf4ULL, 0x80eacf948770ced7ULL}, /* 5^-31 */
    {0xa2425ff75e14fc31ULL, 0xa1258379a94d028dULL}, /* 5^-30 */
    {0xcad2f7f5359a3b3eULL, 0x096ee45813a04330ULL}, /* 5^-29 */
    {0xfd87b5f28300ca0dULL, 0x8bca9d6e188853fcULL}, /* 5^-28 */
    {0x9e74d1b791e07e48ULL, 0x775ea264cf55347dULL}, /* 5^-27 */
    {0xc612062576589ddaULL, 0x95364afe032a819dULL}, /* 5^-26 */
    {0xf79687aed3eec551ULL, 0x3a83ddbd83f52204ULL}, /* 5^-25 */
    {0x9abe14cd44753b52ULL, 0xc4926a9672793542ULL}, /* 5^-24 */
    {0xc16d9a0095928a27ULL, 0x75b7053c0f178293ULL}, /* 5^-23 */
    {0xf1c90080baf72cb1ULL, 0x5324c68b12dd6338ULL}, /* 5^-22 */
    {0x971da05074da7beeULL, 0xd3f6fc16ebca5e03ULL}, /* 5^-21 */
    {0xbce5086492111aeaULL, 0x88f4bb1ca6bcf584ULL}, /* 5^-20 */
    {0xec1e4a7db69561a5ULL, 0x2b31e9e3d06c32e5ULL}, /* 5^-19 */
    {0x9392ee8e921d5d07ULL, 0x3aff322e62439fcfULL}, /* 5^-18 */
    {0xb877aa3236a4b449ULL, 0x09befeb9fad487c2ULL}, /* 5^-17 */
    {0xe69594bec44de15bULL, 0x4c2ebe687989a9b3ULL}, /* 5^-16 */
    {0x901d7cf73ab0acd9ULL, 0x0f9d37014bf60a10ULL}, /* 5^-15 */
    {0xb424dc35095cd80fULL, 0x538484c19ef38c94ULL}, /* 5^-14 */
    {0xe12e13424bb40e13ULL, 0x2865a5f206b06fb9ULL}, /* 5^-13 */
    {0x8cbccc096f5088cbULL, 0xf93f87b7442e45d3ULL}, /* 5^-12 */
    {0xafebff0bcb24aafeULL, 0xf78f69a51539d748ULL}, /* 5^-11 */
    {0xdbe6fecebdedd5beULL, 0xb573440e5a884d1bULL}, /* 5^-10 */
    {0x89705f4136b4a597ULL, 0x31680a88f8953030ULL}, /* 5^-9 */
    {0xabcc77118461cefcULL, 0xfdc20d2b36ba7c3dULL}, /* 5^-8 */
    {0xd6bf94d5e57a42bcULL, 0x3d32907604691b4cULL}, /* 5^-7 */
    {0x8637bd05af6c69b5ULL, 0xa63f9a49c2c1b10fULL}, /* 5^-6 */
    {0xa7c5ac471b478423ULL, 0x0fcf80dc33721d53ULL}, /* 5^-5 */
    {0xd1b71758e219652bULL, 0xd3c36113404ea4a8ULL}, /* 5^-4 */
    {0x83126e978d4fdf3bULL, 0x645a1cac083126e9ULL}, /* 5^-3 */
    {0xa3d70a3d70a3d70aULL, 0x3d70a3d70a3d70a3ULL}, /* 5^-2 */
    {0xccccccccccccccccULL, 0xccccccccccccccccULL}, /* 5^-1 */
    {0x8000000000000000ULL, 0x0000000000000000ULL}, /* 5^0 */
    {0xa000000000000000ULL, 0x0000000000000000ULL}, /* 5^1 */
    {0xc800000000000000ULL, 0x0000000000000000ULL}, /* 5^2 */
    {0xfa00000000000000ULL, 0x0000000000000000ULL}, /* 5^3 */
    {0x9c40000000000000ULL, 0x0000000000000000ULL}, /* 5^4 */
    {0xc350000000000000ULL, 0x0000000000000000ULL}, /* 5^5 */
    {0xf424000000000000ULL, 0x0000000000000000ULL}, /* 5^6 */
    {0x9896800000000000ULL, 0x0000000000000000ULL}, /* 5^7 */
    {0xbebc200000000000ULL, 0x0000000000000000ULL}, /* 5^8 */
    {0xee6b280000000000ULL, 0x0000000000000000ULL}, /* 5^9 */
    {0x9502f90000000000ULL, 0x0000000000000000ULL}, /* 5^10 */
    {0xba43b74000000000ULL, 0x0000000000000000ULL}, /* 5^11 */
    {0xe8d4a51000000000ULL, 0x0000000000000000ULL}, /* 5^12 */
    {0x9184e72a00000000ULL, 0x0000000000000000ULL}, /* 5^13 */
    {0xb5e620f480000000ULL, 0x0000000000000000ULL}, /* 5^14 */
    {0xe35fa931a0000000ULL, 0x0000000000000000ULL}, /* 5^15 */
    {0x8e1bc9bf04000000ULL, 0x0000000000000000ULL}, /* 5^16 */
    {0xb1a2bc2ec5000000ULL, 0x0000000000000000ULL}, /* 5^17 */
    {0xde0b6b3a76400000ULL, 0x0000000000000000ULL}, /* 5^18 */
    {0x8ac7230489e80000ULL, 0x0000000000000000ULL}, /* 5^19 */
    {0xad78ebc5ac620000ULL, 0x0000000000000000ULL}, /* 5^20 */
    {0xd8d726b7177a8000ULL, 0x0000000000000000ULL}, /* 5^21 */
    {0x878678326eac9000ULL, 0x0000000000000000ULL}, /* 5^22 */
    {0xa968163f0a57b400ULL, 0x0000000000000000ULL}, /* 5^23 */
    {0xd3c21bcecceda100ULL, 0x0000000000000000ULL}, /* 5^24 */
    {0x84595161401484a0ULL, 0x0000000000000000ULL}, /* 5^25 */
    {0xa56fa5b99019a5c8ULL, 0x0000000000000000ULL}, /* 5^26 */
    {0xcecb8f27f4200f3aULL, 0x0000000000000000ULL}, /* 5^27 */
    {0x813f3978f8940984ULL, 0x4000000000000000ULL}, /* 5^28 */
    {0xa18f07d736b90be5ULL, 0x5000000000000000ULL}, /* 5^29 */
    {0xc9f2c9cd04674edeULL, 0xa400000000000000ULL}, /* 5^30 */
    {0xfc6f7c4045812296ULL, 0x4d00000000000000ULL}, /* 5^31 */
    {0x9dc5ada82b70b59dULL, 0xf020000000000000ULL}, /* 5^32 */
    {0xc5371912364ce305ULL, 0x6c28000000000000ULL}, /* 5^33 */
    {0xf684df56c3e01bc6ULL, 0xc732000000000000ULL}, /* 5^34 */
    {0x9a130b963a6c115cULL, 0x3c7f400000000000ULL}, /* 5^35 */
    {0xc097ce7bc90715b3ULL, 0x4b9f100000000000ULL}, /* 5^36 */
    {0xf0bdc21abb48db20ULL, 0x1e86d40000000000ULL}, /* 5^37 */
    {0x96769950b50d88f4ULL, 0x1314448000000000ULL}, /* 5^38 */
    {0xbc143fa4e250eb31ULL, 0x17d955a000000000ULL}, /* 5^39 */
    {0xeb194f8e1ae525fdULL, 0x5dcfab0800000000ULL}, /* 5^40 */
    {0x92efd1b8d0cf37beULL, 0x5aa1cae500000000ULL}, /* 5^41 */
    {0xb7abc627050305adULL, 0xf14a3d9e40000000ULL}, /* 5^42 */
    {0xe596b7b0c643c719ULL, 0x6d9ccd05d0000000ULL}, /* 5^43 */
    {0x8f7e32ce7bea5c6fULL, 0xe4820023a2000000ULL}, /* 5^44 */
    {0xb35dbf821ae4f38bULL, 0xdda2802c8a800000ULL}, /* 5^45 */
    {0xe0352f62a19e306eULL, 0xd50b2037ad200000ULL}, /* 5^46 */
    {0x8c213d9da502de45ULL, 0x4526f422cc340000ULL}, /* 5^47 */
    {0xaf298d050e4395d6ULL, 0x9670b12b7f410000ULL}, /* 5^48 */
    {0xdaf3f04651d47b4cULL, 0x3c0cdd765f114000ULL}, /* 5^49 */
    {0x88d8762bf324cd0fULL, 0xa5880a69fb6ac800ULL}, /* 5^50 */
    {0xab0e93b6efee0053ULL, 0x8eea0d047a457a00ULL}, /* 5^51 */
    {0xd5d238a4abe98068ULL, 0x72a4904598d6d880ULL}, /* 5^52 */
    {0x85a36366eb71f041ULL, 0x47a6da2b7f864750ULL}, /* 5^53 */
    {0xa70c3c40a64e6c51ULL, 0x999090b65f67d924ULL}, /* 5^54 */
    {0xd0cf4b50cfe20765ULL, 0xfff4b4e3f741cf6dULL}, /* 5^55 */
    {0x82818f1281ed449fULL, 0xbff8f10e7a8921a4ULL}, /* 5^56 */
    {0xa321f2d7226895c7ULL, 0xaff72d52192b6a0dULL}, /* 5^57 */
    {0xcbea6f8ceb02bb39ULL, 0x9bf4f8a69f764490ULL}, /* 5^58 */
    {0xfee50b7025c36a08ULL, 0x02f236d04753d5b4ULL}, /* 5^59 */
    {0x9f4f2726179a2245ULL, 0x01d762422c946590ULL}, /* 5^60 */
    {0xc722f0ef9d80aad6ULL, 0x424d3ad2b7b97ef5ULL}, /* 5^61 */
    {0xf8ebad2b84e0d58bULL, 0xd2e0898765a7deb2ULL}, /* 5^62 */
    {0x9b934c3b330c8577ULL, 0x63cc55f49f88eb2fULL}, /* 5^63 */
    {0xc2781f49ffcfa6d5ULL, 0x3cbf6b71c76b25fbULL}, /* 5^64 */
    {0xf316271c7fc3908aULL, 0x8bef464e3945ef7aULL}, /* 5^65 */
    {0x97edd871cfda3a56ULL, 0x97758bf0e3cbb5acULL}, /* 5^66 */
    {0xbde94e8e43d0c8ecULL, 0x3d52eeed1cbea317ULL}, /* 5^67 */
    {0xed63a231d4c4fb27ULL, 0x4ca7aaa863ee4bddULL}, /* 5^68 */
    {0x945e455f24fb1cf8ULL, 0x8fe8caa93e74ef6aULL}, /* 5^69 */
    {0xb975d6b6ee39e436ULL, 0xb3e2fd538e122b44ULL}, /* 5^70 */
    {0xe7d34c64a9c85d44ULL, 0x60dbbca87196b616ULL}, /* 5^71 */
    {0x90e40fbeea1d3a4aULL, 0xbc8955e946fe31cdULL}, /* 5^72 */
    {0xb51d13aea4a488ddULL, 0x6babab6398bdbe41ULL}, /* 5^73 */
    {0xe264589a4dcdab14ULL, 0xc696963c7eed2dd1ULL}, /* 5^74 */
    {0x8d7eb76070a08aecULL, 0xfc1e1de5cf543ca2ULL}, /* 5^75 */
    {0xb0de65388cc8ada8ULL, 0x3b25a55f43294bcbULL}, /* 5^76 */
    {0xdd15fe86affad912ULL, 0x49ef0eb713f39ebeULL}, /* 5^77 */
    {0x8a2dbf142dfcc7abULL, 0x6e3569326c784337ULL}, /* 5^78 */
    {0xacb92ed9397bf996ULL, 0x49c2c37f07965404ULL}, /* 5^79 */
    {0xd7e77a8f87daf7fbULL, 0xdc33745ec97be906ULL}, /* 5^80 */
    {0x86f0ac99b4e8dafdULL, 0x69a028bb3ded71a3ULL}, /* 5^81 */
    {0xa8acd7c0222311bcULL, 0xc40832ea0d68ce0cULL}, /* 5^82 */
    {0xd2d80db02aabd62bULL, 0xf50a3fa490c30190ULL}, /* 5^83 */
    {0x83c7088e1aab65dbULL, 0x792667c6da79e0faULL}, /* 5^84 */
    {0xa4b8cab1a1563f52ULL, 0x577001b891185938ULL}, /* 5^85 */
    {0xcde6fd5e09abcf26ULL, 0xed4c0226b55e6f86ULL}, /* 5^86 */
    {0x80b05e5ac60b6178ULL, 0x544f8158315b05b4ULL}, /* 5^87 */
    {0xa0dc75f1778e39d6ULL, 0x696361ae3db1c721ULL}, /* 5^88 */
    {0xc913936dd571c84cULL, 0x03bc3a19cd1e38e9ULL}, /* 5^89 */
    {0xfb5878494ace3a5fULL, 0x04ab48a04065c723ULL}, /* 5^90 */
    {0x9d174b2dcec0e47bULL, 0x62eb0d64283f9c76ULL}, /* 5^91 */
    {0xc45d1df942711d9aULL, 0x3ba5d0bd324f8394ULL}, /* 5^92 */
    {0xf5746577930d6500ULL, 0xca8f44ec7ee36479ULL}, /* 5^93 */
    {0x9968bf6abbe85f20ULL, 0x7e998b13cf4e1ecbULL}, /* 5^94 */
    {0xbfc2ef456ae276e8ULL, 0x9e3fedd8c321a67eULL}, /* 5^95 */
    {0xefb3ab16c59b14a2ULL, 0xc5cfe94ef3ea101eULL}, /* 5^96 */
};

/* The 128-bit product a·b: its high word, the low one to *low (WebAssembly has no 64×64→128 multiply). */
static u64 multiply_128(u64 a, u64 b, u64 *low) {
  u64 a_lo = (u32)a, a_hi = a >> 32, b_lo = (u32)b, b_hi = b >> 32;
  u64 ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
  u64 middle = (ll >> 32) + (u32)lh + (u32)hl;
  *low = (middle << 32) | (u32)ll;
  return hh + (lh >> 32) + (hl >> 32) + (middle >> 32);
}

/*
 * The double nearest w · 10^q (w > 0, q within the table) by the Eisel–Lemire method (Lemire, "Number
 * Parsing at a Gigabyte per Second", 2021; the conservative form Go's strconv uses): w normalized times
 * the 128-bit 5^q, widened to the table's second word when the first leaves the rounding open. Returns 0
 * — undecided, the tokenizer's full rules take the row — when the truncated product cannot tell the
 * rounding (an exact half-way point, or the rare product whose low bits are all ones), so whatever it
 * returns is correctly rounded: the double Number() gives.
 */
static int eisel_lemire(u64 w, int q, double *out) {
  const u64 *pow5 = POW5_128[q - POW5_MIN_Q];
  int zeros = __builtin_clzll(w);
  w <<= zeros;
  /* The binary exponent, biased: ⌊q · log2 10⌋ (217706 / 2^16 ≈ log2 10, exact over the table) + 64 + 1023. */
  u64 exponent = (u64)(((217706 * q) >> 16) + 64 + 1023 - zeros);
  u64 low;
  u64 high = multiply_128(w, pow5[0], &low);
  if ((high & 0x1FF) == 0x1FF && low + w < w) {
    /* The 9 bits below the 54 kept are all ones and the low word could carry into them: add the next 64 bits of 5^q. */
    u64 next_low;
    u64 next_high = multiply_128(w, pow5[1], &next_low);
    u64 merged_low = low + next_high;
    u64 merged_high = high + (merged_low < low);
    if ((merged_high & 0x1FF) == 0x1FF && merged_low + 1 == 0 && next_low + w < w) return 0;
    high = merged_high;
    low = merged_low;
  }
  u64 top = high >> 63;
  u64 mantissa = high >> (top + 9); /* 54 bits: the 53 kept and the rounding bit */
  exponent -= 1 ^ top;
  if (low == 0 && (high & 0x1FF) == 0 && (mantissa & 3) == 1) return 0; /* maybe exactly half-way: undecided */
  mantissa += mantissa & 1; /* round half up on the 54th bit, then drop it */
  mantissa >>= 1;
  if (mantissa >> 53) { /* rounding carried into a new bit */
    mantissa >>= 1;
    exponent += 1;
  }
  if (exponent - 1 >= 0x7FF - 1) return 0; /* subnormal or infinite: not in this table's range */
  *out = double_of(exponent << 52 | (mantissa & ((1ULL << 52) - 1)));
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
  double magnitude;
  if (w > 9007199254740991ULL && scale < 0) {
    /* `3435407755167879.0`: drop the fraction's trailing zeros first (exact), so the value comes out of
       Clinger's path — Eisel–Lemire cannot tell an exact quotient from one just below it. */
    while (scale < 0 && w % 10 == 0) {
      w /= 10;
      scale++;
    }
  }
  if (w <= 9007199254740991ULL && scale >= -22 && scale <= 22) {
    /* Clinger: an exact mantissa times an exact power of ten, one correctly rounded multiply or divide. */
    double m = (double)w;
    magnitude = scale < 0 ? m / POW10[-scale] : m * POW10[scale];
  } else if (w == 0) {
    magnitude = 0;
  } else {
    /* 16 to 19 significant digits (half of what pandas writes), or an exponent beyond Clinger's ±22. */
    if (scale < POW5_MIN_Q || scale > POW5_MAX_Q || !eisel_lemire(w, scale, &magnitude)) return -1;
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

/* When the field at in[p..) is one of MISSING_TOKENS followed by the separator or a line end: the index after it; else -1. */
static int missing_token_end(const u8 *in, int p, int len, u8 sep) {
  int end = p;
  while (end < len && end - p <= 8) {
    u8 c = in[end];
    if (c == sep || c == '\n' || c == '\r') break;
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
 * Per numeric column of the rows just read: the smallest and largest present value (compared in row
 * order with `<` and `>`, as the JavaScript column does, so a ±0 tie keeps the first), the missing
 * values, and whether any cell was not an integer literal (missing ones included: pandas then makes
 * the column float64). After the rows, not while reading them: a row given up half-way must not count.
 */
static void summarize(const u8 *mask, int nfields, int max_rows, int n, const double *values, const u8 *kinds, double *col_min,
                      double *col_max, int *col_missing, u8 *col_not_integer) {
  for (int f = 0; f < nfields; f++) {
    if (mask[f] != 1) continue;
    const double *v = values + f * max_rows;
    const u8 *k = kinds + f * max_rows;
    double min = __builtin_inf(), max = -__builtin_inf();
    int missing = 0;
    u8 not_integer = 0;
    for (int r = 0; r < n; r++) {
      u8 kind = k[r];
      not_integer |= kind != 2;
      if (kind == 0) {
        missing++;
        continue;
      }
      double x = v[r];
      if (x < min) min = x;
      if (x > max) max = x;
    }
    col_min[f] = min;
    col_max[f] = max;
    col_missing[f] = missing;
    col_not_integer[f] = not_integer;
  }
}

/*
 * Moves a numeric column's present values (kinds not 0) of the last block to the front of its run, in
 * order, and returns how many: the consumer then copies them in one go. Called once the block's rows were
 * sampled (the sample reads values by row), for a column with missing values only.
 */
__attribute__((export_name("compact"))) int compact(double *values, const u8 *kinds, int n) {
  int k = 0;
  for (int i = 0; i < n; i++) {
    values[k] = values[i];
    k += kinds[i] != 0;
  }
  return k;
}

/*
 * The text dictionary cache: for a text column marked 3 in the mask, the cells' spellings the reader's
 * dictionary (dictionary.ts, in JavaScript) already holds, so that a cell found here is counted here —
 * no JavaScript per cell. The reader puts each spelling in (`dict_insert`, entry numbers in the order it
 * inserts them) once its own dictionary has it; a cell whose spelling is not here yet ends the rows
 * before its row, like any row this path leaves to the tokenizer, which adds it to the dictionary in
 * JavaScript. The bytes compared are the field's raw bytes between the quotes (`""` not unescaped) and
 * the `""` flag, as the dictionary compares them. Counts go to `dict_count` after the rows (a row given
 * up half-way must not count). Sizes are fixed; when an insert does not fit the reader stops using the
 * cache for that column (its cells then go to JavaScript one by one, as with mask 2).
 */
#define DICT_ENTRIES 4096
#define DICT_SLOTS 8192 /* a power of two, at least twice the entries: probes stay short and end */
#define DICT_ARENA (256 * 1024)
#define DICT_STAGE (64 * 1024)

static int dict_slot[DICT_SLOTS]; /* entry + 1; 0 = empty */
static u32 dict_hash[DICT_ENTRIES];
static int dict_col[DICT_ENTRIES];
static int dict_off[DICT_ENTRIES];
static int dict_len[DICT_ENTRIES];
static u8 dict_esc[DICT_ENTRIES];
static double dict_count[DICT_ENTRIES];
static int dict_size;
static int dict_used;
static int dict_missed; /* the last `rows` call stopped at a cell whose spelling is not in the cache */
static u8 dict_arena[DICT_ARENA];
static u8 dict_stage_bytes[DICT_STAGE];

static u32 dict_hash_of(int col, const u8 *p, int len, int escaped) {
  u32 h = 2166136261u ^ (u32)col * 16777619u ^ (u32)escaped;
  for (int k = 0; k < len; k++) h = (h ^ p[k]) * 16777619u;
  return h;
}

/* The entry holding this column's spelling p[0, len) with this `""` flag, or -1. */
static int dict_find(int col, const u8 *p, int len, int escaped) {
  u32 h = dict_hash_of(col, p, len, escaped);
  for (u32 s = h & (DICT_SLOTS - 1);; s = (s + 1) & (DICT_SLOTS - 1)) {
    int e = dict_slot[s] - 1;
    if (e < 0) return -1;
    if (dict_hash[e] != h || dict_col[e] != col || dict_len[e] != len || dict_esc[e] != escaped) continue;
    const u8 *q = dict_arena + dict_off[e];
    int k = 0;
    while (k < len && q[k] == p[k]) k++;
    if (k == len) return e;
  }
}

/* Empties the cache (a read starts). */
__attribute__((export_name("dict_reset"))) void dict_reset(void) {
  for (int s = 0; s < DICT_SLOTS; s++) dict_slot[s] = 0;
  for (int e = 0; e < DICT_ENTRIES; e++) dict_count[e] = 0;
  dict_size = 0;
  dict_used = 0;
}

/* Where the reader writes a spelling before `dict_insert` takes it (DICT_STAGE bytes). */
__attribute__((export_name("dict_stage"))) u8 *dict_stage(void) { return dict_stage_bytes; }

/* 1 when the last `rows` call stopped at a text cell not in the cache (the reader then reads just that row). */
__attribute__((export_name("dict_miss"))) int dict_miss(void) { return dict_missed; }

/* Where the counts are (a double per entry, in insertion order). */
__attribute__((export_name("dict_counts"))) double *dict_counts(void) { return dict_count; }

/* Adds the staged spelling (len bytes) of column `col`; returns its entry, or -1 when the cache is full. */
__attribute__((export_name("dict_insert"))) int dict_insert(int col, int len, int escaped) {
  if (dict_size >= DICT_ENTRIES || len < 0 || len > DICT_STAGE || dict_used + len > DICT_ARENA) return -1;
  int e = dict_size++;
  for (int k = 0; k < len; k++) dict_arena[dict_used + k] = dict_stage_bytes[k];
  u32 h = dict_hash_of(col, dict_arena + dict_used, len, escaped);
  dict_hash[e] = h;
  dict_col[e] = col;
  dict_off[e] = dict_used;
  dict_len[e] = len;
  dict_esc[e] = (u8)escaped;
  dict_count[e] = 0;
  dict_used += len;
  u32 s = h & (DICT_SLOTS - 1);
  while (dict_slot[s] != 0) s = (s + 1) & (DICT_SLOTS - 1);
  dict_slot[s] = e + 1;
  return e;
}

/* The module's data and stack end here; the reader's buffers start above (fast-rows.ts checks). */
extern u8 __heap_base;
__attribute__((export_name("heap_base"))) int heap_base(void) { return (int)&__heap_base; }

/*
 * Reads plain rows of `nfields` fields from in[start..len), at most max_rows. Column by column: field f
 * of row r goes to index f·max_rows + r of each output, so a column's values are contiguous and the
 * consumer copies them in one go. mask[f]: 1 a numeric column (its number goes to values, 2 or 1 to
 * kinds: written as an integer or not; 0 and NaN for a missing value), 2 a text column (its bytes'
 * range to starts/ends, quotes excluded; kinds 1 when it holds `""` escapes), 3 a text column counted in
 * the dictionary cache (its entry to starts; a cell not in it ends the rows), 0 a column nobody reads.
 * For each numeric column it also sums the block up (see summarize). `separator`: the byte between
 * fields (`,`, or `;`, tab or `|`: csv/format.ts). Returns the rows read; `stop` says where it stopped.
 */
__attribute__((export_name("rows"))) int rows(const u8 *in, int start, int len, const u8 *mask, int nfields, int max_rows,
                                               double *values, u8 *kinds, int *starts, int *ends, double *col_min, double *col_max,
                                               int *col_missing, u8 *col_not_integer, int separator) {
  const u8 sep = (u8)separator;
  int p = start;
  int r = 0;
  dict_missed = 0;
  while (r < max_rows && p < len) {
    int row_start = p;
    int ok = 1;
    if (in[p] == '\n' || in[p] == '\r') break; /* a blank line: the tokenizer skips it */
    for (int f = 0; f < nfields; f++) {
      if (mask[f] == 1) {
        if (p < len && (in[p] == sep || in[p] == '\n' || in[p] == '\r')) {
          /* An empty field: a missing value (what to_csv writes for NaN). */
          values[f * max_rows + r] = __builtin_nan("");
          kinds[f * max_rows + r] = 0;
        } else {
          double v;
          int is_int;
          int end = parse_number(in, p, len, &v, &is_int);
          if (end < 0 || (in[end] != sep && in[end] != '\n' && in[end] != '\r')) {
            /* Not a number this path reads (`1.#IND` starts as one): pandas' NA strings (R writes `NA`) are missing values. */
            end = missing_token_end(in, p, len, sep);
            if (end < 0) {
              ok = 0;
              break;
            }
            v = __builtin_nan("");
            is_int = -1;
          }
          values[f * max_rows + r] = v;
          kinds[f * max_rows + r] = is_int < 0 ? 0 : is_int ? 2 : 1;
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
        if (mask[f] == 3) {
          int e = dict_find(f, in + p + 1, j - p - 1, escaped);
          if (e < 0) { /* a spelling not in the cache yet: the tokenizer takes this row */
            dict_missed = 1;
            ok = 0;
            break;
          }
          starts[f * max_rows + r] = e;
        } else {
          starts[f * max_rows + r] = p + 1;
          ends[f * max_rows + r] = j;
          kinds[f * max_rows + r] = (u8)escaped;
        }
        p = j + 1;
      } else {
        int s = p;
        while (p < len) {
          u8 c = in[p];
          if (c == sep || c == '\n' || c == '\r' || c == '"') break;
          p++;
        }
        if (mask[f] == 3) {
          int e = dict_find(f, in + s, p - s, 0);
          if (e < 0) {
            /* (Also when the field then turns out not to end here — a stray quote: the tokenizer reads
               the row, and the next call goes on from the row after it, as after any miss.) */
            dict_missed = 1;
            ok = 0;
            break;
          }
          starts[f * max_rows + r] = e;
        } else {
          starts[f * max_rows + r] = s;
          ends[f * max_rows + r] = p;
          kinds[f * max_rows + r] = 0;
        }
      }
      if (p >= len) {
        ok = 0;
        break;
      }
      u8 c = in[p];
      if (f < nfields - 1) {
        if (c != sep) {
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
  summarize(mask, nfields, max_rows, r, values, kinds, col_min, col_max, col_missing, col_not_integer);
  for (int f = 0; f < nfields; f++) {
    if (mask[f] != 3) continue;
    const int *e = starts + f * max_rows;
    for (int k = 0; k < r; k++) dict_count[e[k]] += 1;
  }
  return r;
}
