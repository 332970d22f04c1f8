/* cpu.h - which SIMD instructions this CPU runs, checked once at run time.
 *
 * The scanner's hot loops (prefilter.c, decode.c; sha256.c for fingerprints) have AVX2 and AVX-512
 * versions on x86-64, chosen when they start; everywhere else, and with
 * KEYHOUND_NO_SIMD=1 in the environment, the portable versions run. All
 * versions give the same results (the unit tests compare them).
 */
#ifndef KH_CPU_H
#define KH_CPU_H

enum cpu_simd {
	CPU_SIMD_NONE = 0,   /* portable C (SSE2 on x86-64, which every such CPU has) */
	CPU_SIMD_AVX2 = 1,
	CPU_SIMD_AVX512 = 2  /* AVX-512 F and BW */
};

/* The widest level this CPU runs (CPU_SIMD_NONE when KEYHOUND_NO_SIMD is set
 * to anything but 0). Thread-safe; cheap after the first call. */
int cpu_simd_level(void);

/* Whether this CPU has the x86 SHA extensions (0 with KEYHOUND_NO_SIMD set). */
int cpu_has_sha(void);

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define KH_X86_SIMD 1 /* the compiler takes __attribute__((target("avx2"))) and friends */
#endif

#endif
