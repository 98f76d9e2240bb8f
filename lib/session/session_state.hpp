#pragma once
// What an MSRPSession's coroutines share: the transport, the sans-IO
// session core (lib/session/core) and the timers and signals its three
// loops wait on. The loops only drive the core: read and hand in, fill and
// write, sleep until the next deadline. They hold the state by shared_ptr,
// so it outlives the session object until each of them has seen the end.
// Internal header.

#include <msrp/session/session.hpp>

#include "../detail/wake_signal.hpp"
#include "core/session_core.hpp"

#include <asio/experimental/channel.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace msrp::detail {

using incoming_channel = asio::experimental::channel<void(std::error_code, IncomingMessage)>;

/// A message whose body comes from a source: the core asks, the driver reads.
struct sourced_message final : outgoing_message {
    OutgoingMessage::body_source source;
};

/// The core's form of an application's message.
std::shared_ptr<outgoing_message> make_outgoing_message(OutgoingMessage message, message_handler on_report);

struct session_state : std::enable_shared_from_this<session_state> {
    using clock = std::chrono::steady_clock;

    session_state(std::unique_ptr<MSRPTransport> transport, session_options options);

    void start();
    /// After every call into the core: wake the writer when it has work,
    /// move the deadline timer earlier when a deadline came closer, wake
    /// whoever waits for progress, and close the transport once the core ended.
    void after_core();
    void end(std::error_code reason);

    asio::awaitable<void> read_loop();
    asio::awaitable<void> write_loop();
    asio::awaitable<void> deadline_loop();
    asio::awaitable<bool> deliver(IncomingMessage message, std::error_code ec);

    std::unique_ptr<MSRPTransport> transport;
    session_core core;
    incoming_handler on_incoming;
    std::unique_ptr<incoming_channel> channel; ///< GreenMSRPSession only
    std::optional<std::error_code> green_end;  ///< what receive_chunk reports once the end came
    /// Messages in `channel` (Asio's channel does not say how full it is).
    std::size_t channel_items = 0;

    asio::steady_timer deadline_timer;
    /// When `deadline_timer` goes off (max: the loop sleeps without one).
    clock::time_point deadline_timer_at = clock::time_point::max();
    wake_signal writer_wake; ///< something to write
    wake_signal progress;    ///< a write finished, an answer came, the session ended
    bool transport_closed = false;
    int coroutines = 0;      ///< running loops (for tests and shutdown)
};

} // namespace msrp::detail
