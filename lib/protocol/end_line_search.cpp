#include "end_line_search.hpp"

#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define MSRP_X86 1
#endif

namespace msrp::detail {
namespace {

// The tail the vector loops leave, and the whole search elsewhere: the next
// CR, which the caller then judges.
std::size_t find_cr(const char* data, std::size_t n, std::size_t i) noexcept {
    if (i >= n)
        return n;
    const void* p = std::memchr(data + i, '\r', n - i);
    return p ? static_cast<std::size_t>(static_cast<const char*>(p) - data) : n;
}

#if MSRP_X86
// Most blocks of a body hold no CR at all, and one compare per vector tells;
// blocks with a CR get the full test (CR here, LF next, '-' after).
std::size_t find_sse2(const char* data, std::size_t n, std::size_t i) noexcept {
    const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n'), dash = _mm_set1_epi8('-');
    auto load = [&](std::size_t at) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + at)); };
    auto full_test = [&](std::size_t at) {
        const __m128i hit = _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi8(load(at), cr), _mm_cmpeq_epi8(load(at + 1), lf)),
                                          _mm_cmpeq_epi8(load(at + 2), dash));
        return static_cast<unsigned>(_mm_movemask_epi8(hit));
    };
    for (; i + 34 <= n; i += 32) {
        const __m128i any = _mm_or_si128(_mm_cmpeq_epi8(load(i), cr), _mm_cmpeq_epi8(load(i + 16), cr));
        if (!_mm_movemask_epi8(any))
            continue;
        if (const auto mask = full_test(i))
            return i + static_cast<std::size_t>(__builtin_ctz(mask));
        if (const auto mask = full_test(i + 16))
            return i + 16 + static_cast<std::size_t>(__builtin_ctz(mask));
    }
    return find_cr(data, n, i);
}

// Lambdas do not inherit a target attribute: helpers carry their own.
__attribute__((target("avx2"))) inline __m256i load32(const char* p) noexcept {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

__attribute__((target("avx2"))) inline unsigned end_line_starts32(const char* p) noexcept {
    const __m256i hit = _mm256_and_si256(
        _mm256_and_si256(_mm256_cmpeq_epi8(load32(p), _mm256_set1_epi8('\r')),
                         _mm256_cmpeq_epi8(load32(p + 1), _mm256_set1_epi8('\n'))),
        _mm256_cmpeq_epi8(load32(p + 2), _mm256_set1_epi8('-')));
    return static_cast<unsigned>(_mm256_movemask_epi8(hit));
}

__attribute__((target("avx2"))) std::size_t find_avx2(const char* data, std::size_t n, std::size_t i) noexcept {
    const __m256i cr = _mm256_set1_epi8('\r');
    for (; i + 66 <= n; i += 64) {
        const __m256i any = _mm256_or_si256(_mm256_cmpeq_epi8(load32(data + i), cr),
                                            _mm256_cmpeq_epi8(load32(data + i + 32), cr));
        if (!_mm256_movemask_epi8(any))
            continue;
        if (const auto mask = end_line_starts32(data + i))
            return i + static_cast<std::size_t>(__builtin_ctz(mask));
        if (const auto mask = end_line_starts32(data + i + 32))
            return i + 32 + static_cast<std::size_t>(__builtin_ctz(mask));
    }
    return find_sse2(data, n, i);
}

using finder = std::size_t (*)(const char*, std::size_t, std::size_t) noexcept;

finder pick_finder() noexcept {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? find_avx2 : find_sse2;
}
#endif

} // namespace

std::size_t find_end_line_candidate(std::string_view s, std::size_t from) noexcept {
#if MSRP_X86
    static const finder find = pick_finder();
    return find(s.data(), s.size(), from);
#else
    return find_cr(s.data(), s.size(), from);
#endif
}

} // namespace msrp::detail
