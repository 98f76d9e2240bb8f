#pragma once
/// \file
/// Whether an incoming request belongs to a session (RFC 4975 §7.3, RFC
/// 4976 §6), with no I/O: the rule a transport and the session core share.

#include <msrp/protocol/chunk.hpp>
#include <msrp/protocol/path.hpp>
#include <msrp/protocol/uri.hpp>

#include <system_error>

namespace msrp {

/// Checks a request's paths against a session: its To-Path must be exactly
/// `local_uri` (an endpoint is the last hop), its From-Path must end in the
/// peer's URI, the last of `remote_path` (relays add themselves in front).
/// Returns `errc::session_mismatch` (answer 481) or nothing.
std::error_code check_request_paths(const Chunk& request, const URI& local_uri, const Path& remote_path);

} // namespace msrp
