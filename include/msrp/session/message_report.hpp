#pragma once
/// \file
/// What a session tells the application about what it sent and received:
/// `message_report` and the handlers that receive reports, responses and
/// incoming messages. No Asio here: the sans-IO session core calls them.

#include <msrp/protocol/byte_range.hpp>
#include <msrp/protocol/chunk.hpp>
#include <msrp/protocol/incoming_chunk.hpp>
#include <msrp/protocol/message_assembler.hpp>

#include <functional>
#include <string>
#include <system_error>

namespace msrp {

/// What a session tells the sender of a message.
struct message_report {
    std::string message_id;
    /// 200 for delivered bytes; the MSRP status otherwise (408 for no
    /// answer in time, 413, 415, 481, ...).
    int code = 200;
    std::string comment;
    /// The bytes this report is about.
    ByteRange range;
    /// Set for failures: `errc::transaction_failed` (a response or
    /// REPORT said so), `errc::no_response` (no response in time: the 408
    /// was made locally), `asio::error::timed_out` (no success REPORT in
    /// time), `errc::report_window_stalled` (no success REPORT made room
    /// in the REPORT window in time, see
    /// `session_options::max_unreported_bytes`), `errc::message_aborted`
    /// (`abort_message`),
    /// `errc::session_closed`, or the connection's error.
    std::error_code error;
    /// The message's outcome is settled: delivered whole (`code` 200) or
    /// failed. Exactly one final report comes for every message.
    bool final = false;
    /// The REPORT or failure response this report comes from; nullptr when
    /// the session made it up (timeouts, the end, an abort). Valid during
    /// the handler's call only.
    const Chunk* chunk = nullptr;
};

/// Called once with a chunk's transaction response: the peer's, or one
/// made up locally (see `session_options::response_timeout`).
using response_handler = std::function<void(const Chunk& response)>;
using message_handler = std::function<void(const message_report& report)>;
/// Called with every incoming message (or piece of one, or REPORT); then
/// once with an empty message and `ec` set when the session ends (the
/// reason; `asio::error::eof` when the peer closed).
using incoming_handler = std::function<void(IncomingMessage message, std::error_code ec)>;
/// Called with every empty SEND received (a keep-alive; see
/// `session_stats::empty_sends_received`), after its answer was queued.
/// `chunk` is valid during the call only.
using empty_send_handler = std::function<void(const IncomingChunk& chunk)>;

} // namespace msrp
