#pragma once
/// \file
/// Random identifiers for transaction ids and Message-IDs (RFC 4975 §14.1:
/// unpredictable, at least 80 bits of randomness).

#include <cstddef>
#include <string>

namespace msrp {

/// Length of generated identifiers: 15 alphanumeric characters carry
/// 15 * log2(62) = 89 bits, and fit in a std::string without a heap
/// allocation (libstdc++ keeps up to 15 characters inline), which counts
/// when every chunk and message gets one.
inline constexpr std::size_t random_ident_length = 15;

/// A random ident (ALPHANUM characters only, so it is valid both as a
/// transaction id and as a Message-ID) drawn from the operating system's
/// CSPRNG (getrandom(2)), `length` characters long (4..32).
std::string random_ident(std::size_t length = random_ident_length);

} // namespace msrp
