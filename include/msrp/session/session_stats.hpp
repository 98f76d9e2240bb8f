#pragma once
/// \file
/// `session_stats`: what a session counted of the traffic it handles by
/// itself and the application otherwise never sees (empty SENDs it
/// answers, keep-alives it sends). No Asio here: the sans-IO session core
/// keeps them.

#include <cstdint>

namespace msrp {

/// Counts since the session started; they only grow. See
/// `MSRPSession::stats`.
struct session_stats {
    /// SENDs for this session that carried no body (RFC 4975 §7.1: a
    /// keep-alive, or a peer checking that its session is alive): answered
    /// 200 (when their Failure-Report asks for it) and never delivered as
    /// messages. The binding SEND (RFC 4975 §5.4) is the connector's and
    /// is not counted. `MSRPSession::set_empty_send_handler` shows each one.
    std::uint64_t empty_sends_received = 0;
    /// Of `empty_sends_received`, those marked `Keep-Alive: yes` (a header
    /// field of AG Projects' msrplib, which sends one every 60 s).
    std::uint64_t keepalives_received = 0;
    /// Keep-alive probes this session sent (`session_options::keepalive_interval`).
    std::uint64_t keepalives_sent = 0;
    /// Of `keepalives_sent`, those the peer answered with a 2xx response.
    std::uint64_t keepalives_answered = 0;
};

} // namespace msrp
