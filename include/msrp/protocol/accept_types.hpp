#pragma once
/// \file
/// Whether a Content-Type is in an SDP accept-types list (RFC 4975 §8.6, §9).

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace msrp {

/// Whether a body of type `content_type` may be sent to (or accepted
/// from) a peer whose `a=accept-types` are `accept_types` (RFC 4975 §8.6;
/// a receiver answers 415 otherwise, §7.3.1).
///
/// Entries are `*` (anything), `type/*` (any subtype of `type`) or
/// `type/subtype`. Types compare case-insensitively (RFC 2045 §5.1). The
/// parameters of `content_type` (`;charset=UTF-8`) and whitespace around
/// it are ignored, and so are those of an entry. An entry `*/*` (HTTP's
/// spelling, not in the RFC 4975 grammar) matches any well-formed type;
/// other malformed entries match nothing.
///
/// An empty or malformed `content_type` (no `/`, an empty or non-token
/// type or subtype, or a wildcard `*` as type or subtype, which belongs in
/// accept lists, not in a Content-Type) is accepted only by a `*` entry.
/// An empty list accepts nothing.
bool content_type_accepted(std::string_view content_type, std::span<const std::string> accept_types) noexcept;

/// Splits the value of an SDP `a=accept-types:` attribute (without the
/// `a=accept-types:` prefix) into its entries, in order. Entries are
/// separated by SP (RFC 4975 §9 `format-list`); runs of whitespace (SP,
/// HTAB, and a CR LF left over from the SDP line) are tolerated and yield
/// no empty entries. Entries are returned as written, not validated.
std::vector<std::string> parse_accept_types(std::string_view sdp_value);

} // namespace msrp
