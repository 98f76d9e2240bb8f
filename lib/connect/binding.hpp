#pragma once
// Binding a fresh connection to its session (RFC 4975 §5.4): the active
// side sends a SEND, the passive side checks its paths and answers.
// Internal header.

#include <msrp/transport/transport.hpp>

#include <asio/awaitable.hpp>

#include <system_error>

namespace msrp::detail {

/// Active side: sends an empty SEND carrying the paths and waits for its
/// response. Errors: `errc::bind_failed` (non-2xx answer), read errors.
asio::awaitable<void> bind_active(MSRPTransport& transport, std::error_code& ec);

/// Passive side: reads the first chunk and checks it with
/// `check_incoming_SEND_chunk`; answers 200, or 481 and fails with
/// `errc::session_mismatch`. Anything but a SEND first fails with
/// `errc::session_mismatch` too (answered 481 when it is a request).
asio::awaitable<void> bind_passive(MSRPTransport& transport, std::error_code& ec);

} // namespace msrp::detail
