#pragma once
// Finding where an end-line may start inside a body: the body hot loop.
// Internal header: not installed.

#include <cstddef>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace msrp::detail {

/// The first offset at or after `from` where `s` holds "\r\n-", or a '\r'
/// too close to the end to tell; `s.size()` when there is none. Every
/// end-line starts with "\r\n-------", so the body before it is plain data.
inline std::size_t find_end_line_candidate(std::string_view s, std::size_t from) noexcept {
    const char* const data = s.data();
    const std::size_t n = s.size();
    std::size_t i = from;
#if defined(__SSE2__)
    // 32 positions at a time: most blocks of a body hold no CR at all, and
    // one compare per 16 octets tells; blocks with a CR get the full test
    // (CR here, LF next, '-' after).
    const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n'), dash = _mm_set1_epi8('-');
    auto load = [&](std::size_t at) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + at)); };
    auto full_test = [&](std::size_t at) {
        const __m128i hit = _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi8(load(at), cr), _mm_cmpeq_epi8(load(at + 1), lf)),
                                          _mm_cmpeq_epi8(load(at + 2), dash));
        return _mm_movemask_epi8(hit);
    };
    for (; i + 34 <= n; i += 32) {
        const __m128i any = _mm_or_si128(_mm_cmpeq_epi8(load(i), cr), _mm_cmpeq_epi8(load(i + 16), cr));
        if (!_mm_movemask_epi8(any))
            continue;
        if (const int mask = full_test(i))
            return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
        if (const int mask = full_test(i + 16))
            return i + 16 + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    }
#endif
    if (i >= n)
        return n;
    const void* p = std::memchr(data + i, '\r', n - i);
    return p ? static_cast<std::size_t>(static_cast<const char*>(p) - data) : n;
}

} // namespace msrp::detail
