#pragma once
/// \file
/// Which side opens the TCP connection (RFC 4975 §5.4, RFC 6135 a=setup).

#include <string_view>
#include <system_error>

namespace msrp {

enum class setup_role { active, passive };

/// The role of this side from the SDP `a=setup` values of the offer and
/// the answer ("active", "passive", "actpass", "holdconn", or empty when
/// absent). Without a=setup in the answer the offerer is active (RFC 4975
/// §5.4); `holdconn` counts as absent (RFC 6135 §4.2). Errors:
/// `errc::invalid_argument` for pairs that cannot work (both active, both
/// passive, an offer of `passive`, an answer of `actpass`, unknown values).
std::error_code negotiate_setup(bool we_are_offerer, std::string_view offer_setup, std::string_view answer_setup,
                                setup_role& role) noexcept;

} // namespace msrp
