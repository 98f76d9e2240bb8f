#pragma once
// Binding a fresh connection to its session (RFC 4975 §5.4): the active
// side sends a SEND, the passive side checks its paths and answers.
// Internal header.

#include <msrp/transport/transport.hpp>

#include "../transport/byte_stream.hpp"

#include <asio/awaitable.hpp>

#include <system_error>

namespace msrp::detail {

/// Active side: sends an empty SEND carrying the paths and waits for its
/// response; requests the peer sends before answering are kept for the
/// session (at most 64). Errors: `errc::bind_failed` (non-2xx answer, or
/// too many requests before it), read errors.
asio::awaitable<void> bind_active(MSRPTransport& transport, std::error_code& ec);

/// Passive side: reads the first chunk and checks it with
/// `check_incoming_SEND_chunk`; answers 200, or 481 and fails with
/// `errc::session_mismatch`. Anything but a SEND first fails with
/// `errc::session_mismatch` too (answered 481 when it is a request).
asio::awaitable<void> bind_passive(MSRPTransport& transport, std::error_code& ec);

/// Wraps a fresh connection in a transport for `local` and `remote` and
/// binds it, as the active side (`bind_active`) or the passive one
/// (`bind_passive`); logs `bound`. Null on failure, with `ec` set.
asio::awaitable<std::unique_ptr<MSRPTransport>> bind_stream(std::unique_ptr<byte_stream> stream, URI local,
                                                            Path remote, const transport_options& options,
                                                            bool active, std::error_code& ec);

/// The passive side's answer to a binding chunk already read: 200 when it
/// is a SEND whose paths match the transport's, else 481, the transport
/// closed and `errc::session_mismatch`. A binding SEND with content is put
/// back (marked answered) for the session.
asio::awaitable<void> answer_binding(MSRPTransport& transport, IncomingChunk first, std::error_code& ec);

} // namespace msrp::detail
