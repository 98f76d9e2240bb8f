#pragma once
// Finding where an end-line may start inside a body: the body hot loop.
// Internal header: not installed.

#include <cstddef>
#include <string_view>

namespace msrp::detail {

/// The first offset at or after `from` where `s` holds "\r\n-", or a '\r'
/// too close to the end to tell; `s.size()` when there is none. Every
/// end-line starts with "\r\n-------", so the body before it is plain data.
/// Uses AVX2 where the CPU has it (checked once), else SSE2, else memchr.
std::size_t find_end_line_candidate(std::string_view s, std::size_t from) noexcept;

} // namespace msrp::detail
