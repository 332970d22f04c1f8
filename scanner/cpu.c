/* cpu.c - which SIMD instructions this CPU runs (see cpu.h). Reads the CPU's
 * feature flags through the compiler's builtins and CPUID; nothing else. */
#include <pthread.h>
#include "cpu.h"
#include "envflag.h"
#ifdef KH_X86_SIMD
#include <cpuid.h>
#endif

static int level, sha;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void detect(void)
{
#ifdef KH_X86_SIMD
	if (env_flag("KEYHOUND_NO_SIMD"))
		return; /* CPU_SIMD_NONE, no SHA extensions */
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw"))
		level = CPU_SIMD_AVX512;
	else if (__builtin_cpu_supports("avx2"))
		level = CPU_SIMD_AVX2;
	{ /* clang's __builtin_cpu_supports() does not know "sha": ask CPUID */
		unsigned a, b, c, d;
		sha = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b >> 29 & 1) &&
		      __builtin_cpu_supports("sse4.1");
	}
#endif
}

int cpu_simd_level(void)
{
	pthread_once(&once, detect);
	return level;
}

int cpu_has_sha(void)
{
	pthread_once(&once, detect);
	return sha;
}
