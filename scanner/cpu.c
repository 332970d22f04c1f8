/* cpu.c - which SIMD instructions this CPU runs (see cpu.h). Reads the CPU's
 * feature flags through the compiler's builtins; nothing else. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "cpu.h"

static int detect(void)
{
#ifdef KH_X86_SIMD
	const char *no = getenv("KEYHOUND_NO_SIMD");

	if (no && *no && strcmp(no, "0"))
		return CPU_SIMD_NONE;
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw"))
		return CPU_SIMD_AVX512;
	return __builtin_cpu_supports("avx2") ? CPU_SIMD_AVX2 : CPU_SIMD_NONE;
#else
	return CPU_SIMD_NONE;
#endif
}

static int level;
static pthread_once_t level_once = PTHREAD_ONCE_INIT;

static void detect_once(void)
{
	level = detect();
}

int cpu_simd_level(void)
{
	pthread_once(&level_once, detect_once);
	return level;
}
